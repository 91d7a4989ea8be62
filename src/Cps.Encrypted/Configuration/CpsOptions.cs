using Stir.Encrypted.Cps;

namespace Stir.Encrypted.CpsService.Configuration;

/// <summary>
/// The service's settings, bound from the configuration section <c>Cps</c> over these code defaults and
/// checked at start by <see cref="CpsOptionsValidator"/>. Names follow the configuration document (spec §7).
/// </summary>
internal sealed class CpsOptions
{
    public const string SectionName = "Cps";

    /// <summary>The default size class when none is configured: 2048-byte blobs, 16 per retrieval.</summary>
    public static readonly SizeClassOptions DefaultClass = new() { Size = 2048, Slots = 16 };

    /// <summary>Size classes (<c>Cps:Classes:0:Size</c>, <c>Cps:Classes:0:Slots</c>, ...); empty means <see cref="DefaultClass"/>.</summary>
    public List<SizeClassOptions> Classes { get; init; } = [];

    public RetentionOptions Retention { get; init; } = new();

    public int EpochSeconds { get; set; } = IndexParameters.DefaultEpochSeconds;

    public IndexOptions Index { get; init; } = new();

    public LimitOptions Limits { get; init; } = new();

    public RateLimitOptions RateLimits { get; init; } = new();

    public StoreAuthenticationOptions StoreAuthentication { get; init; } = new();

    public StorerCapOptions StorerCap { get; init; } = new();

    public ManagementOptions Management { get; init; } = new();

    /// <summary>Where an embedded store keeps its files.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// A retrieval is answered this long after its handler started, whatever its work took (spec/protocol.md §8
    /// "Retrieve"), so that its timing does not say what the bucket holds or whether it was fetched recently; work
    /// that takes longer is answered at once and counted (<c>cps_retrieval_deadline_overruns_total</c>). 0 turns the
    /// deadline off, which gives that timing away (benchmarks compare with it). The default is above the
    /// retrieval work's p99.9 at the load of bench/load/run on 2 cores and negligible beside a call's post-dial
    /// delay (bench/results/privacy-timing.md).
    /// </summary>
    public int RetrievalDeadlineMilliseconds { get; set; } = DefaultRetrievalDeadlineMilliseconds;

    /// <summary>The default of <see cref="RetrievalDeadlineMilliseconds"/>.</summary>
    public const int DefaultRetrievalDeadlineMilliseconds = 20;

    /// <summary>The most <see cref="RetrievalDeadlineMilliseconds"/> may be: beyond it the deadline costs callees noticeable time.</summary>
    public const int MaxRetrievalDeadlineMilliseconds = 1000;

    /// <summary>How often a store re-reads the bucket and tries again when a concurrent store changed it.</summary>
    public int StoreAttempts { get; set; } = 8;

    /// <summary>The classes in effect (the default when none is configured).</summary>
    public IReadOnlyList<SizeClassOptions> EffectiveClasses => Classes.Count == 0 ? [DefaultClass] : Classes;
}

/// <summary>One size class: blob size in bytes and blobs per retrieval.</summary>
internal sealed class SizeClassOptions
{
    public int Size { get; set; }

    public int Slots { get; set; }
}

/// <summary>Lifetimes of slot occupants (spec §9).</summary>
internal sealed class RetentionOptions
{
    public int MinSeconds { get; set; } = RetentionPolicy.Default.MinSeconds;

    public int MeanExtraSeconds { get; set; } = RetentionPolicy.Default.MeanExtraSeconds;

    public int MaxSeconds { get; set; } = RetentionPolicy.Default.MaxSeconds;
}

/// <summary>The index function published to clients (spec §5).</summary>
internal sealed class IndexOptions
{
    public int MemoryKiB { get; set; } = IndexParameters.DefaultMemoryKiB;

    public int Iterations { get; set; } = IndexParameters.DefaultIterations;

    public int BucketBits { get; set; } = IndexParameters.DefaultBucketBits;

    /// <summary>The deployment salt, 32 bytes of unpadded base64url; when absent the store's salt is used.</summary>
    public string? Salt { get; set; }
}

/// <summary>Request limits published in the configuration document.</summary>
internal sealed class LimitOptions
{
    /// <summary>At most the storer cap (<see cref="StorerCapOptions"/>): a larger store could never be taken.</summary>
    public int MaxBlobsPerStore { get; set; } = 4;

    public int ClockSkewSeconds { get; set; } = 5;
}

/// <summary>Per-client request rates (partitioned by address, kept in memory only).</summary>
internal sealed class RateLimitOptions
{
    public RateLimitWindowOptions Store { get; init; } = new() { PermitLimit = 60, WindowSeconds = 10 };

    public RateLimitWindowOptions Retrieve { get; init; } = new() { PermitLimit = 300, WindowSeconds = 10 };
}

/// <summary>A fixed window: at most <see cref="PermitLimit"/> requests per <see cref="WindowSeconds"/>.</summary>
internal sealed class RateLimitWindowOptions
{
    public int PermitLimit { get; set; }

    public int WindowSeconds { get; set; }
}

/// <summary>Storer authentication (spec §8 "Storer authentication"): off by default.</summary>
internal sealed class StoreAuthenticationOptions
{
    public const string Off = "off";
    public const string Required = "required";

    /// <summary><c>off</c> (the <c>Authorization</c> header is not read) or <c>required</c>.</summary>
    public string Mode { get; set; } = Off;

    /// <summary>A PEM file of the CA certificates storer chains must lead to (required when on).</summary>
    public string? TrustAnchors { get; set; }

    /// <summary>The CPS base URL tokens must name in <c>aud</c>, as clients are configured with it (required when on).</summary>
    public string? Audience { get; set; }

    /// <summary>The most <c>|now − iat|</c> may be.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>How long a <c>jti</c> is remembered; at least 2 × <see cref="ClockSkewSeconds"/>, the time a token is acceptable.</summary>
    public int JtiWindowSeconds { get; set; } = 120;

    /// <summary>The most <c>jti</c> values remembered at once (per node); beyond it stores are refused until some expire.</summary>
    public int MaxRememberedTokens { get; set; } = 100_000;

    public bool IsRequired => Mode == Required;

    /// <summary>The audience as clients send it: an absolute URL ending in '/', as <c>CpsClient.BaseUrl</c> is.</summary>
    public string? NormalizedAudience => Audience is { } a && Uri.TryCreate(a, UriKind.Absolute, out var uri)
        ? (uri.AbsoluteUri.EndsWith('/') ? uri.AbsoluteUri : uri.AbsoluteUri + "/")
        : null;
}

/// <summary>
/// The per-storer cap (spec/protocol.md §8 "Store", threat model TM-61): how many live real blobs one storer may hold
/// in one bucket (epoch, size class, bucket), so that no single storer can fill a bucket and read its occupancy from
/// the refusal.
/// </summary>
internal sealed class StorerCapOptions
{
    /// <summary>Live real blobs one storer may hold per bucket: with 16 slots, others must hold 12 for it to see <c>bucket-full</c>.</summary>
    public int MaxLiveBlobsPerBucket { get; set; } = 4;

    /// <summary>
    /// The cap for a storer identified by its certificate (storer authentication required); unset means
    /// <see cref="MaxLiveBlobsPerBucket"/>. Raising it lets one certificate learn more about a bucket (TM-61).
    /// </summary>
    public int? AuthenticatedMaxLiveBlobsPerBucket { get; set; }

    /// <summary>The IPv6 prefix that is one storer: 48, because one subscriber often holds a /48 (a /64 would give 65 536 identities).</summary>
    public int Ipv6PrefixLength { get; set; } = 48;

    public int EffectiveAuthenticatedMaxLiveBlobsPerBucket => AuthenticatedMaxLiveBlobsPerBucket ?? MaxLiveBlobsPerBucket;
}

/// <summary>
/// The management listener (spec/protocol.md §8 "Health, metrics and the management listener"): a second web
/// application in the process serving <c>/metrics</c> and the OpenAPI document, apart from the public protocol.
/// </summary>
internal sealed class ManagementOptions
{
    public const string DefaultUrls = "http://127.0.0.1:9464";

    /// <summary>Where it listens: one or more <c>http://host:port</c> separated by ';' (port 0: the kernel chooses); empty disables it.</summary>
    public string? Urls { get; set; } = DefaultUrls;

    /// <summary>The URLs to listen on; empty when disabled.</summary>
    public IReadOnlyList<string> UrlList => (Urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
