namespace Stir.Encrypted.CpsService.Storage;

/// <summary>
/// Where the CPS keeps real blobs. LiteDB (embedded, the default) is one implementation; a distributed
/// engine is another; the endpoints never know which (CONVENTIONS.md: storage behind an interface).
/// </summary>
/// <remarks>
/// Contract every implementation keeps:
/// <list type="bullet">
/// <item>A blob is never returned at or after its end (by the store's TimeProvider), and its bytes are
/// deleted from storage promptly after it (spec/protocol.md §9 "Expiry"); once deleted they cannot be
/// recovered from the store's files.</item>
/// <item><see cref="TryAppendAsync"/> is atomic and durable: when it returns true the blobs survive a
/// crash until their end; when it returns false nothing was written.</item>
/// <item>Slot events are kept until <c>bucketExpiresUnixMs</c>, then the whole bucket is dropped.</item>
/// <item>Buckets are independent: filling or flooding one never evicts another's blobs.</item>
/// </list>
/// </remarks>
internal interface IBlobStore : IAsyncDisposable
{
    /// <summary>
    /// The 32-byte secret the cover blobs are derived from (spec/protocol.md §9). Created at random the first
    /// time and the same afterwards, across restarts and across every node sharing the store, so that decoys
    /// do not change when a node restarts or a load balancer switches nodes.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>> GetCoverKeyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The deployment's 32-byte index salt (spec/protocol.md §5, §7), unless the operator configures one:
    /// public, but it must never change while the deployment's data lives and must be the same on every node,
    /// so the store that all nodes share keeps it. Created at random the first time.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>> GetIndexSaltAsync(CancellationToken cancellationToken);

    /// <summary>Reads a bucket: all its slot events and its live blobs.</summary>
    ValueTask<BucketState> ReadAsync(BucketKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Adds real blobs to a bucket if its version is still <paramref name="expectedVersion"/> (else returns
    /// false and writes nothing, and the caller re-reads and retries). Returns only after the write is durable.
    /// </summary>
    ValueTask<bool> TryAppendAsync(BucketKey key, long expectedVersion, IReadOnlyList<StoredBlob> blobs, long bucketExpiresUnixMs, CancellationToken cancellationToken);

    /// <summary>Whether the store can take writes now (for /health/ready), with a reason when not.</summary>
    ValueTask<(bool Ready, string? Reason)> CheckReadyAsync(CancellationToken cancellationToken);
}
