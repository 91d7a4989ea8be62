namespace Stir.Encrypted.KeyRecords;

/// <summary>How a <see cref="DirectoryClient"/> caches, how long cached data may answer, and how it hides interest.</summary>
public sealed class DirectoryClientOptions
{
    /// <summary>
    /// Where the cache (<c>directory-cache.json</c>) and, unless <see cref="Ledger"/> is given, the ledger
    /// (<c>ledger.json</c>) live; null keeps both in memory for the client's lifetime.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>How old cached data may be and still answer a lookup (when the directory is down, or in cached mode).</summary>
    public TimeSpan CacheMaxAge
    {
        get;
        init => field = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a positive age");
    } = TimeSpan.FromDays(1);

    /// <summary>How many random decoy buckets a prefetch fetches besides the buckets of the numbers.</summary>
    public int PrefetchDecoys
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "not negative");
    } = 32;

    /// <summary>The ledger to check entries against; by default one in <see cref="CacheDirectory"/>, or in memory.</summary>
    public KeyRecordLedger? Ledger { get; init; }
}
