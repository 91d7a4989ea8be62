namespace Stir.Encrypted.Discovery;

/// <summary>One NAPTR query made during a discovery, with what it returned: for diagnostics and the CLI.</summary>
public sealed class EnumQueryTrace
{
    internal EnumQueryTrace(string domain, EnumQueryStatus status, IReadOnlyList<NaptrRecord> records, string? detail, bool fromCache)
    {
        Domain = domain;
        Status = status;
        Records = records;
        Detail = detail;
        FromCache = fromCache;
    }

    /// <summary>The domain queried (fully qualified, lower case).</summary>
    public string Domain { get; }

    /// <summary>How the query ended.</summary>
    public EnumQueryStatus Status { get; }

    /// <summary>The NAPTR records returned, in the order DNS gave them.</summary>
    public IReadOnlyList<NaptrRecord> Records { get; }

    /// <summary>For <see cref="EnumQueryStatus.NoRecords"/>, <c>NXDOMAIN</c> or <c>NODATA</c>; for a failure, what failed.</summary>
    public string? Detail { get; }

    /// <summary>Whether the answer came from the resolver's cache instead of the network.</summary>
    public bool FromCache { get; }
}
