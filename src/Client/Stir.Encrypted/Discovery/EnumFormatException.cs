namespace Stir.Encrypted.Discovery;

/// <summary>
/// A NAPTR record that DNS returned for an ENUM domain breaks a rule of RFC 6116, RFC 3402 or RFC 3403, so
/// the record is discarded. The message names the domain, the record and the rule. These are collected, not
/// thrown: RFC 6116 §5.2 says a discarded NAPTR SHOULD NOT end the query, so the good records of the same
/// RRset are still used and the bad ones are reported beside them.
/// </summary>
internal sealed class EnumFormatException : FormatException
{
    public EnumFormatException(string domain, NaptrRecord? record, string rule)
        : base(record is null ? $"{domain}: {rule}" : $"{domain}: NAPTR {record}: {rule}")
    {
        Domain = domain;
        Record = record;
        Rule = rule;
    }

    /// <summary>The ENUM domain whose RRset held the record.</summary>
    public string Domain { get; }

    /// <summary>The record discarded, or null when the problem is the chain of non-terminal rules itself.</summary>
    public NaptrRecord? Record { get; }

    /// <summary>Which rule the record breaks, citing the spec.</summary>
    public string Rule { get; }
}
