namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// Settings of the embedded store. The service binds them from its configuration; the epoch length and the
/// bucket retention must be the ones the service computes epochs and bucket expiries with.
/// </summary>
internal sealed class LiteDbStoreOptions
{
    /// <summary>Where the store keeps its files (created if missing, owner-only). Required.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>The epoch length <c>E</c> of spec/protocol.md §5: a bucket of epoch e lives in e's file.</summary>
    public TimeSpan EpochLength { get; set; } = TimeSpan.FromSeconds(3600);

    /// <summary>
    /// How long after the end of its epoch a bucket may still live (the longest retention plus the clock skew,
    /// spec/protocol.md §5, §7). An epoch's file is deleted once this much time has passed after the epoch.
    /// </summary>
    public TimeSpan BucketRetentionAfterEpoch { get; set; } = TimeSpan.FromSeconds(65);

    /// <summary>
    /// The life of one at-rest key: a blob's bytes are encrypted under the key of the period containing its end,
    /// and the key is destroyed when that period is over, so this bounds how long after its end a blob's bytes
    /// remain recoverable from the files.
    /// </summary>
    public TimeSpan KeyPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most append requests one transaction takes (group commit).</summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>
    /// How long the writer waits for more requests when fewer than <see cref="MaxBatchSize"/> are queued; zero
    /// (the default) takes what is queued at once. Batching needs no wait: the requests that arrive while one
    /// commit is being fsynced share the next one, so under load batches form by themselves, and a fixed wait
    /// only adds its length to every store's latency when traffic is light (the end-to-end call pays it).
    /// </summary>
    public TimeSpan BatchWait { get; set; } = TimeSpan.Zero;

    /// <summary>How often expired blob bytes, buckets, epoch files and keys are removed.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Tests only: failures injected under the epoch files (a full disk, a failing device).</summary>
    internal IStoreFileFaults? Faults { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException($"{nameof(DataDirectory)} is required.", nameof(DataDirectory));
        }
        RequireMilliseconds(EpochLength, nameof(EpochLength), TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        RequireMilliseconds(BucketRetentionAfterEpoch, nameof(BucketRetentionAfterEpoch), TimeSpan.Zero, TimeSpan.FromDays(7));
        RequireMilliseconds(KeyPeriod, nameof(KeyPeriod), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        RequireMilliseconds(BatchWait, nameof(BatchWait), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        RequireMilliseconds(SweepInterval, nameof(SweepInterval), TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        if (MaxBatchSize is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, $"{nameof(MaxBatchSize)} must be 1 to 10000.");
        }
    }

    private static void RequireMilliseconds(TimeSpan value, string name, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max || value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be whole milliseconds from {min} to {max}.");
        }
    }
}
