using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Discovery;

/// <summary>
/// Finds, for a called number, the base URLs of its Call Placement Service and of the credential directory that
/// holds its HPKE keys. It uses ENUM (RFC 6116): the NAPTR records of the number's domain under
/// <see cref="EnumResolverOptions.EnumApex"/>, enumservices <c>E2U+x-stir-cps:https</c> and
/// <c>E2U+x-stir-dir:https</c> (spec/enumservices.md). When DNS gives nothing or fails, it uses the configured
/// fallback URLs, and the result says which source each URL came from.
/// </summary>
/// <remarks>
/// DNS answers are untrusted. Every lookup is bounded (time, queries, chain length, records, regexp size),
/// records that break the rules are discarded and reported, and the URLs found are only where to ask: what
/// they serve is verified later (directory records are signed with STIR certificates). The resolver is
/// thread-safe, and one instance should be reused: it holds the DNS client and the cache.
/// </remarks>
public sealed class EnumResolver
{
    private readonly INaptrSource _source;
    private readonly TimeProvider _time;
    private readonly string _apex;
    private readonly bool _allowHttp;
    private readonly Uri? _fallbackCps;
    private readonly Uri? _fallbackDirectory;
    private readonly TimeSpan _overallTimeout;
    private readonly int _maxChain;
    private readonly int _maxQueries;

    /// <summary>Creates a resolver that queries DNS as <paramref name="options"/> says.</summary>
    /// <exception cref="ArgumentException">An option is out of range, or a fallback URL is not an acceptable base URL.</exception>
    public EnumResolver(EnumResolverOptions options)
        : this(options, null, TimeProvider.System)
    {
    }

    /// <summary>For tests: a given NAPTR source instead of DNS (null: DNS) and a given clock.</summary>
    internal EnumResolver(EnumResolverOptions options, INaptrSource? source, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero, nameof(options.Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OverallTimeout, TimeSpan.Zero, nameof(options.OverallTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Retries, nameof(options.Retries));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxNonTerminalChain, nameof(options.MaxNonTerminalChain));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxQueries, nameof(options.MaxQueries));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxRecordsPerAnswer, nameof(options.MaxRecordsPerAnswer));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CacheCapacity, nameof(options.CacheCapacity));
        _apex = DomainName.Normalize(options.EnumApex);
        _allowHttp = options.AllowHttpOnLoopback;
        _fallbackCps = CheckFallback(options.FallbackCps, nameof(options.FallbackCps));
        _fallbackDirectory = CheckFallback(options.FallbackDirectory, nameof(options.FallbackDirectory));
        _overallTimeout = options.OverallTimeout;
        _maxChain = options.MaxNonTerminalChain;
        _maxQueries = options.MaxQueries;
        _time = time;
        source ??= new DnsNaptrSource(options);
        _source = options.CacheCapacity > 0 ? new NaptrCache(source, time, options.CacheCapacity, options.MaxCacheTtl) : source;
    }

    /// <summary>
    /// Looks up the CPS and credential-directory base URLs of <paramref name="number"/>. The result lists them
    /// best first, with their source, the queries made and any records discarded.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="number"/> is not a global E.164 number.</exception>
    /// <exception cref="EnumLookupException">
    /// DNS failed for the number's domain (timeout, SERVFAIL, malformed or oversized answer) and no fallback is
    /// configured. With a fallback, the result carries the failure in <see cref="EnumDiscoveryResult.DnsError"/>.
    /// </exception>
    public async Task<EnumDiscoveryResult> DiscoverAsync(TelephoneNumber number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(number);
        if (!number.IsE164)
        {
            throw new ArgumentException($"{number.Value} is not a global E.164 number, so it has no ENUM domain", nameof(number));
        }

        // RFC 6116 §3.1 AUS and §3.2 First Well Known Rule.
        var aus = number.ToE164();
        var domain = number.ToEnumDomain(_apex);
        var lookup = new EnumLookup(_source, aus, IsStirEnumservice, _maxChain, _maxQueries);

        IReadOnlyList<EnumResult> cps = [];
        IReadOnlyList<EnumResult> directory = [];
        EnumLookupException? failure = null;
        using var deadline = new CancellationTokenSource(_overallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            cps = await lookup.ResolveAsync(domain, s => s == StirEnumservices.Cps, AcceptServiceUrl, linked.Token);
            directory = await lookup.ResolveAsync(domain, s => s == StirEnumservices.Directory, AcceptServiceUrl, linked.Token);
        }
        catch (EnumLookupException e)
        {
            failure = e;
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            failure = new EnumLookupException(domain, $"the lookup did not finish within {_overallTimeout.TotalSeconds:0.###} s", e);
        }

        if (failure is not null && _fallbackCps is null && _fallbackDirectory is null)
        {
            throw failure;
        }

        return new EnumDiscoveryResult(
            aus,
            domain,
            Candidates(cps, _fallbackCps),
            Candidates(directory, _fallbackDirectory),
            lookup.Queries.ToList(),
            lookup.Problems.ToList(),
            failure?.Message);
    }

    /// <summary>
    /// The generic ENUM query (RFC 6116) behind <see cref="DiscoverAsync"/>: the URIs for every enumservice that
    /// <paramref name="wants"/> accepts (null: all but P- ones), in DDDS order, starting at
    /// <paramref name="domain"/>. The tests use it to run the RFC's cases through a real DNS server.
    /// </summary>
    internal async Task<(IReadOnlyList<EnumResult> Results, EnumLookup Lookup)> ResolveAsync(string aus, string domain, Func<string, bool>? wants, CancellationToken cancellationToken = default)
    {
        var lookup = new EnumLookup(_source, aus, wants, _maxChain, _maxQueries);
        using var deadline = new CancellationTokenSource(_overallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var results = await lookup.ResolveAsync(domain, wants ?? (_ => true), null, linked.Token);
        return (results, lookup);
    }

    private static bool IsStirEnumservice(string enumservice) => enumservice is StirEnumservices.Cps or StirEnumservices.Directory;

    private string? AcceptServiceUrl(EnumRule rule) =>
        ServiceUrl.TryParse(rule.Uri!, _allowHttp, out _, out var error) ? null : $"spec/enumservices.md: {error}";

    private List<DiscoveredUrl> Candidates(IReadOnlyList<EnumResult> found, Uri? fallback)
    {
        var urls = new List<DiscoveredUrl>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in found)
        {
            if (ServiceUrl.TryParse(result.Rule.Uri!, _allowHttp, out var url, out _) && seen.Add(url.AbsoluteUri))
            {
                urls.Add(new DiscoveredUrl(url, DiscoverySource.Dns, result.Chain, result.Rule.Order, result.Rule.Preference));
            }
        }

        if (urls.Count == 0 && fallback is not null)
        {
            urls.Add(new DiscoveredUrl(fallback, DiscoverySource.Fallback, [], null, null));
        }

        return urls;
    }

    private Uri? CheckFallback(Uri? url, string name)
    {
        if (url is null)
        {
            return null;
        }

        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException($"{name} {url.OriginalString}: the URL is not absolute", name);
        }

        return ServiceUrl.TryParse(url.OriginalString, _allowHttp, out var parsed, out var error)
            ? parsed
            : throw new ArgumentException($"{name} {url.OriginalString}: {error}", name);
    }
}
