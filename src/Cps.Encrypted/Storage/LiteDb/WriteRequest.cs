namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>Work for the store's single writer loop. Completed only after the work is durable (or failed).</summary>
internal abstract class WriteRequest
{
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<bool> Completion => _completion.Task;

    public void Succeed(bool result) => _completion.TrySetResult(result);

    public void Fail(Exception exception) => _completion.TrySetException(exception);

    public void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}

/// <summary>An append: <see cref="IBlobStore.TryAppendAsync"/>.</summary>
internal sealed class AppendRequest : WriteRequest
{
    public AppendRequest(BucketKey key, long expectedVersion, IReadOnlyList<StoredBlob> blobs, long bucketExpiresUnixMs, CancellationToken cancellationToken)
    {
        Key = key;
        ExpectedVersion = expectedVersion;
        Blobs = blobs;
        BucketExpiresUnixMs = bucketExpiresUnixMs;
        CancellationToken = cancellationToken;
    }

    public BucketKey Key { get; }

    public long ExpectedVersion { get; }

    public IReadOnlyList<StoredBlob> Blobs { get; }

    public long BucketExpiresUnixMs { get; }

    /// <summary>Observed until the request is applied; after that the write completes regardless.</summary>
    public CancellationToken CancellationToken { get; }
}

/// <summary>A readiness probe: a small durable write to the current epoch's file through the writer loop.</summary>
internal sealed class ProbeRequest : WriteRequest;

/// <summary>A sweep: drop what expired, retire epoch files, destroy and create period keys.</summary>
internal sealed class SweepRequest : WriteRequest;
