using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// Keeps the bytes of recently served cover blobs (bounded, least recently used first out), so that a bucket
/// retrieved again while its covers live costs copies instead of X25519 operations.
/// </summary>
internal sealed class CachingCoverBlobFactory : ICoverBlobFactory
{
    private readonly ICoverBlobFactory _inner;
    private readonly BoundedLruCache<(BucketKey, int, long, int), byte[]> _cache;

    public CachingCoverBlobFactory(ICoverBlobFactory inner, int capacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _cache = new(capacity);
    }

    public int Count => _cache.Count;

    public void Write(ReadOnlySpan<byte> coverKey, in CoverOccupant occupant, Span<byte> blob)
    {
        if (_cache.TryGet(occupant.Identity, out var cached) && cached.Length == blob.Length)
        {
            cached.CopyTo(blob);
            return;
        }

        var made = new byte[blob.Length];
        _inner.Write(coverKey, occupant, made);
        _cache.GetOrAdd(occupant.Identity, made).CopyTo(blob);
    }
}
