namespace Stir.Encrypted.CpsService.Storage;

/// <summary>
/// What a store holds for one bucket at the time it was read: every slot event of the bucket's life so far
/// and the real blobs still live, with a <see cref="Version"/> for optimistic concurrency
/// (<see cref="IBlobStore.TryAppendAsync"/>).
/// </summary>
internal sealed class BucketState
{
    public static BucketState Empty { get; } = new(0, [], []);

    public BucketState(long version, IReadOnlyList<SlotEvent> events, IReadOnlyList<StoredBlob> liveBlobs)
    {
        Version = version;
        Events = events;
        LiveBlobs = liveBlobs;
    }

    /// <summary>Increases with every append; 0 for a bucket that has never held a real blob.</summary>
    public long Version { get; }

    /// <summary>Every real occupancy of the bucket so far (including expired ones, times only), oldest first.</summary>
    public IReadOnlyList<SlotEvent> Events { get; }

    /// <summary>The real blobs whose end is after the read time.</summary>
    public IReadOnlyList<StoredBlob> LiveBlobs { get; }
}
