using System.Net;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Discovery;

/// <summary>How <see cref="EnumResolver"/> queries DNS, and what it does when DNS gives nothing.</summary>
public sealed class EnumResolverOptions
{
    /// <summary>The name servers to query, in order. When empty, the system's resolvers are used (/etc/resolv.conf).</summary>
    public IList<IPEndPoint> NameServers { get; } = new List<IPEndPoint>();

    /// <summary>The ENUM apex under which numbers are looked up (RFC 6116 §3.2). <c>e164.arpa</c> unless a private tree is used.</summary>
    public string EnumApex { get; set; } = TelephoneNumber.DefaultEnumApex;

    /// <summary>How long to wait for one answer from one name server before retrying.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many times a query that timed out or failed in transport is retried on one server.</summary>
    public int Retries { get; set; } = 1;

    /// <summary>A bound on one whole discovery, every query and non-terminal rule included.</summary>
    public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Accept <c>http</c> base URLs to loopback hosts, for local development only. Otherwise only <c>https</c> is accepted.</summary>
    public bool AllowHttpOnLoopback { get; set; }

    /// <summary>The CPS base URL to use when DNS gives none or fails.</summary>
    public Uri? FallbackCps { get; set; }

    /// <summary>The credential-directory base URL to use when DNS gives none or fails.</summary>
    public Uri? FallbackDirectory { get; set; }

    /// <summary>
    /// The most non-terminal rules followed in a row. RFC 6116 §5.1 asks provisioning for at most 5, and §5.2.1
    /// lets a client treat a longer chain as a loop.
    /// </summary>
    public int MaxNonTerminalChain { get; set; } = 5;

    /// <summary>The most queries one discovery makes (non-terminal rules can branch).</summary>
    public int MaxQueries { get; set; } = 16;

    /// <summary>The most records accepted in one answer. A larger answer is a failed lookup.</summary>
    public int MaxRecordsPerAnswer { get; set; } = 64;

    /// <summary>How many answers the resolver caches, each for its TTL (at most <see cref="MaxCacheTtl"/>). 0 turns caching off.</summary>
    public int CacheCapacity { get; set; } = 256;

    /// <summary>The longest an answer is cached, whatever its TTL says.</summary>
    public TimeSpan MaxCacheTtl { get; set; } = TimeSpan.FromHours(1);
}
