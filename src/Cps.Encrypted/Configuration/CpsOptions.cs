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

    /// <summary>Where an embedded store keeps its files.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Cover blobs (and cover timelines) kept in memory for repeated retrievals.</summary>
    public int CoverCacheEntries { get; set; } = 4096;

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
    public int MaxBlobsPerStore { get; set; } = 8;

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
