namespace Stir.Encrypted.Discovery;

/// <summary>
/// DNS gave no usable answer for an ENUM domain: the name servers timed out, answered SERVFAIL or REFUSED,
/// sent a packet that does not parse, or sent more records than the resolver accepts. This differs from
/// "no records" (NXDOMAIN or NODATA), which is an answer. The message names the domain and the failure.
/// </summary>
public sealed class EnumLookupException : Exception
{
    /// <summary>Creates the exception for a failed lookup of <paramref name="domain"/>.</summary>
    public EnumLookupException(string domain, string reason, Exception? innerException = null)
        : base($"NAPTR lookup of {domain} failed: {reason}", innerException)
    {
        Domain = domain;
        Reason = reason;
    }

    /// <summary>The domain whose NAPTR lookup failed.</summary>
    public string Domain { get; }

    /// <summary>What went wrong, without the domain.</summary>
    public string Reason { get; }
}
