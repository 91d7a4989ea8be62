namespace Stir.Encrypted.Discovery;

/// <summary>
/// One usable rule from an ENUM NAPTR RRset (RFC 3402 §2, RFC 6116 §3): either a terminal rule's output, a
/// URI for one enumservice, or a non-terminal rule's next domain. A compound NAPTR gives one rule per
/// enumservice, in left-to-right order (RFC 6116 §3.4.3.2).
/// </summary>
internal sealed class EnumRule
{
    private EnumRule(NaptrRecord record, string? enumservice, string? uri, string? nextDomain)
    {
        Record = record;
        Enumservice = enumservice;
        Uri = uri;
        NextDomain = nextDomain;
    }

    public NaptrRecord Record { get; }

    public ushort Order => Record.Order;

    public ushort Preference => Record.Preference;

    /// <summary>The enumservice (<c>type:subtype</c>, lower case) of a terminal rule.</summary>
    public string? Enumservice { get; }

    /// <summary>The URI a terminal rule produced (RFC 6116 §3.3).</summary>
    public string? Uri { get; }

    /// <summary>The FQDN a non-terminal rule points to (RFC 6116 §5.2.1), normalised.</summary>
    public string? NextDomain { get; }

    public bool IsTerminal => Uri is not null;

    public static EnumRule Terminal(NaptrRecord record, string enumservice, string uri) => new(record, enumservice, uri, null);

    public static EnumRule NonTerminal(NaptrRecord record, string nextDomain) => new(record, null, null, nextDomain);

    public override string ToString() => IsTerminal ? $"{Order} {Preference} {Enumservice} {Uri}" : $"{Order} {Preference} -> {NextDomain}";
}
