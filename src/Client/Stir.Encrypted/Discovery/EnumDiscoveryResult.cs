namespace Stir.Encrypted.Discovery;

/// <summary>
/// Where to find a number's Call Placement Service and credential directory, in order of preference. It also
/// records how the answer was reached: the queries, the records seen and the records discarded.
/// Everything here came from untrusted DNS or from local configuration. What the URLs serve is verified later:
/// directory records are signed with STIR certificates.
/// </summary>
public sealed class EnumDiscoveryResult
{
    internal EnumDiscoveryResult(
        string aus,
        string queryDomain,
        IReadOnlyList<DiscoveredUrl> cps,
        IReadOnlyList<DiscoveredUrl> directory,
        IReadOnlyList<EnumQueryTrace> queries,
        IReadOnlyList<string> problems,
        string? dnsError)
    {
        Aus = aus;
        QueryDomain = queryDomain;
        Cps = cps;
        Directory = directory;
        Queries = queries;
        Problems = problems;
        DnsError = dnsError;
    }

    /// <summary>The Application Unique String (RFC 6116 §3.1), e.g. <c>+12025550123</c>.</summary>
    public string Aus { get; }

    /// <summary>The number's ENUM domain, the first key queried (RFC 6116 §3.2).</summary>
    public string QueryDomain { get; }

    /// <summary>Candidate CPS base URLs, best first.</summary>
    public IReadOnlyList<DiscoveredUrl> Cps { get; }

    /// <summary>Candidate credential-directory base URLs, best first.</summary>
    public IReadOnlyList<DiscoveredUrl> Directory { get; }

    /// <summary>Where the CPS URLs came from.</summary>
    public DiscoverySource CpsSource => Cps.Count == 0 ? DiscoverySource.None : Cps[0].Source;

    /// <summary>Where the directory URLs came from.</summary>
    public DiscoverySource DirectorySource => Directory.Count == 0 ? DiscoverySource.None : Directory[0].Source;

    /// <summary>Every NAPTR query made, in order.</summary>
    public IReadOnlyList<EnumQueryTrace> Queries { get; }

    /// <summary>
    /// Records discarded and non-terminal rules not followed, each naming the domain, the record and the rule
    /// broken. RFC 6116 §5.2 and §5.2.1 say these never end the lookup.
    /// </summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// Set when DNS failed for the number's own domain and the configured fallback was used instead. It says
    /// why DNS failed.
    /// </summary>
    public string? DnsError { get; }

    /// <summary>Whether at least one CPS or directory URL was found.</summary>
    public bool Found => Cps.Count > 0 || Directory.Count > 0;
}
