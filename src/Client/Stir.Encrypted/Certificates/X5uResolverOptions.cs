namespace Stir.Encrypted.Certificates;

/// <summary>Limits and cache policy of <see cref="X5uResolver"/>; the defaults suit a verification service.</summary>
public sealed class X5uResolverOptions
{
    /// <summary>The largest response body read; a STIR chain of a few certificates is 2–5 KiB.</summary>
    public int MaxResponseBytes { get; init; } = 64 * 1024;

    /// <summary>How long one fetch may take, headers and body together.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a fetched chain is reused; the response's <c>Cache-Control: max-age</c> and the chain's earliest notAfter can only shorten it.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How many URLs the cache holds; the least recently used is evicted first.</summary>
    public int MaxEntries { get; init; } = 1000;

    /// <summary>
    /// How long a failure (fetch error or invalid chain) is remembered, so that a flood of calls naming a
    /// failing or slow <c>x5u</c> costs one fetch per period, not one per call. Zero disables it.
    /// </summary>
    public TimeSpan FailureCacheDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Allow <c>http</c> URLs as well as <c>https</c>. Only for tests on loopback: a chain fetched in clear can be swapped.</summary>
    public bool AllowHttp { get; init; }
}
