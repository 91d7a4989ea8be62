namespace Stir.Encrypted.Discovery;

/// <summary>How one NAPTR query of an ENUM lookup ended.</summary>
public enum EnumQueryStatus
{
    /// <summary>The name has NAPTR records.</summary>
    Answered,

    /// <summary>NXDOMAIN, or NODATA (the name exists with no NAPTR records).</summary>
    NoRecords,

    /// <summary>No usable answer: timeout, SERVFAIL, REFUSED, a malformed or oversized response.</summary>
    Failed,
}
