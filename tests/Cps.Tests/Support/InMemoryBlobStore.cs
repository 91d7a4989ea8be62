using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// The store the service tests run on (the name is historical: it keeps nothing itself when backed). By default a
/// test double that keeps the whole <see cref="IBlobStore"/>
/// contract in memory, driven by a <see cref="TimeProvider"/>: blobs are never returned at or after their end and
/// are dropped (their copy wiped) as soon as an operation sees them expired; appends are atomic and
/// version-checked; slot events live until the bucket's expiry; buckets are independent. With a
/// <c>backing</c> store (<see cref="CpsTestStore"/>: the Redis cluster when <c>STIR_CPS_TEST_STORE=redis</c>) it
/// keeps nothing itself and passes every call through, so the same tests run against the real store. Either way,
/// hooks let tests force conflicts, failures and unreadiness, and take snapshots to prove that a rejected
/// request changed nothing.
/// </summary>
internal sealed class InMemoryBlobStore : IBlobStore
{
    private readonly TimeProvider _time;
    private readonly IBlobStore? _backing;
    private readonly Lock _lock = new();
    private readonly Dictionary<BucketKey, Bucket> _buckets = [];
    private readonly HashSet<BucketKey> _backingKeys = [];
    private byte[]? _coverKey;
    private byte[]? _salt;

    public InMemoryBlobStore(TimeProvider time, IBlobStore? backing = null)
    {
        _time = time;
        _backing = backing;
    }

    /// <summary>The real store behind this one, if any.</summary>
    public IBlobStore? Backing => _backing;

    /// <summary>The next this many appends return false (a concurrent writer won) without writing.</summary>
    public int ConflictsToReturn { get; set; }

    /// <summary>When set, every read and append throws it (a broken store).</summary>
    public Exception? Failure { get; set; }

    /// <summary>When set, every append throws it without writing (a store that did not say whether it wrote).</summary>
    public Exception? AppendFailure { get; set; }

    /// <summary>When set, reading the salt or cover key throws it (a store not reachable yet).</summary>
    public Exception? SecretsFailure { get; set; }

    public (bool Ready, string? Reason) Readiness { get; set; } = (true, null);

    public int Appends { get; private set; }

    /// <summary>When positive, every read waits this long (real time) first, so that concurrent requests interleave.</summary>
    public TimeSpan ReadDelay { get; set; }

    public int Reads { get; private set; }

    public ValueTask<ReadOnlyMemory<byte>> GetCoverKeyAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (SecretsFailure is { } failure)
            {
                throw failure;
            }

            if (_backing is not null)
            {
                return _backing.GetCoverKeyAsync(cancellationToken);
            }

            _coverKey ??= RandomNumberGenerator.GetBytes(32);
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(_coverKey.ToArray());
        }
    }

    public ValueTask<ReadOnlyMemory<byte>> GetIndexSaltAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (SecretsFailure is { } failure)
            {
                throw failure;
            }

            if (_backing is not null)
            {
                return _backing.GetIndexSaltAsync(cancellationToken);
            }

            _salt ??= RandomNumberGenerator.GetBytes(32);
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(_salt.ToArray());
        }
    }

    public ValueTask<BucketState> ReadAsync(BucketKey key, CancellationToken cancellationToken) =>
        ReadDelay > TimeSpan.Zero ? DelayedReadAsync(key, cancellationToken) : ReadNowAsync(key, cancellationToken);

    private async ValueTask<BucketState> DelayedReadAsync(BucketKey key, CancellationToken cancellationToken)
    {
        await Task.Delay(ReadDelay, cancellationToken);
        return await ReadNowAsync(key, cancellationToken);
    }

    private ValueTask<BucketState> ReadNowAsync(BucketKey key, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ThrowIfFailing();
            Reads++;
            if (_backing is not null)
            {
                return _backing.ReadAsync(key, cancellationToken);
            }

            var now = Now();
            Purge(now);
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                return ValueTask.FromResult(BucketState.Empty);
            }

            var live = bucket.Blobs.Where(b => b.EndUnixMs > now).Select(b => b with { Content = b.Content.ToArray() }).ToList();
            return ValueTask.FromResult(new BucketState(bucket.Version, [.. bucket.Events], live));
        }
    }

    public ValueTask<bool> TryAppendAsync(BucketKey key, long expectedVersion, IReadOnlyList<StoredBlob> blobs, long bucketExpiresUnixMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        if (_backing is not null)
        {
            return BackingAppendAsync(key, expectedVersion, blobs, bucketExpiresUnixMs, cancellationToken);
        }

        lock (_lock)
        {
            ThrowIfFailing();
            ThrowIfAppendFailing();
            if (blobs.Count == 0 || blobs.Any(b => b.EndUnixMs <= b.StartUnixMs || b.Content.Length != key.Size))
            {
                throw new ArgumentException("blobs must be non-empty, of the bucket's size, with end after start", nameof(blobs));
            }

            var now = Now();
            Purge(now);
            if (ConflictsToReturn > 0)
            {
                ConflictsToReturn--;
                return ValueTask.FromResult(false);
            }

            var version = _buckets.TryGetValue(key, out var existing) ? existing.Version : 0;
            if (version != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            var bucket = existing ?? (_buckets[key] = new Bucket());
            foreach (var blob in blobs)
            {
                bucket.Events.Add(blob.Event);
                bucket.Blobs.Add(blob with { Content = blob.Content.ToArray() });
            }

            bucket.Events.Sort((x, y) => x.StartUnixMs.CompareTo(y.StartUnixMs));
            bucket.Version++;
            bucket.ExpiresUnixMs = Math.Max(bucket.ExpiresUnixMs, bucketExpiresUnixMs);
            Appends++;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<(bool Ready, string? Reason)> CheckReadyAsync(CancellationToken cancellationToken) =>
        _backing is not null && Readiness == (true, null) ? _backing.CheckReadyAsync(cancellationToken) : ValueTask.FromResult(Readiness);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Every bucket's version, events and live blob bytes, for before/after comparisons.</summary>
    public string Snapshot()
    {
        if (_backing is not null)
        {
            return string.Join("\n", BackingKeys().OrderBy(k => k.ToString(), StringComparer.Ordinal).Select(key =>
            {
                var state = _backing.ReadAsync(key, default).AsTask().GetAwaiter().GetResult();
                return $"{key} v{state.Version} events[{string.Join(",", state.Events)}] blobs[{string.Join(",", state.LiveBlobs.OrderBy(x => x.Slot).ThenBy(x => x.StartUnixMs).Select(x => $"{x.Slot}:{x.StartUnixMs}-{x.EndUnixMs}:{Convert.ToHexString(SHA256.HashData(x.Content.Span))}"))}]";
            }));
        }

        lock (_lock)
        {
            var lines = _buckets.OrderBy(b => b.Key.ToString(), StringComparer.Ordinal).Select(b =>
                $"{b.Key} v{b.Value.Version} exp{b.Value.ExpiresUnixMs} events[{string.Join(",", b.Value.Events)}] blobs[{string.Join(",", b.Value.Blobs.Select(x => $"{x.Slot}:{x.StartUnixMs}-{x.EndUnixMs}:{Convert.ToHexString(SHA256.HashData(x.Content.Span))}"))}]");
            return string.Join("\n", lines);
        }
    }

    /// <summary>The live real blobs of a bucket (test inspection, without the read counting).</summary>
    public IReadOnlyList<StoredBlob> LiveBlobs(BucketKey key)
    {
        if (_backing is not null)
        {
            return _backing.ReadAsync(key, default).AsTask().GetAwaiter().GetResult().LiveBlobs;
        }

        lock (_lock)
        {
            var now = Now();
            Purge(now);
            return _buckets.TryGetValue(key, out var bucket) ? [.. bucket.Blobs] : [];
        }
    }

    public IReadOnlyList<BucketKey> Keys
    {
        get
        {
            if (_backing is not null)
            {
                return [.. BackingKeys().Where(key => _backing.ReadAsync(key, default).AsTask().GetAwaiter().GetResult().Version > 0)];
            }

            lock (_lock)
            {
                return [.. _buckets.Keys];
            }
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async ValueTask<bool> BackingAppendAsync(BucketKey key, long expectedVersion, IReadOnlyList<StoredBlob> blobs, long bucketExpiresUnixMs, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ThrowIfFailing();
            ThrowIfAppendFailing();
            if (blobs.Count == 0 || blobs.Any(b => b.EndUnixMs <= b.StartUnixMs || b.Content.Length != key.Size))
            {
                throw new ArgumentException("blobs must be non-empty, of the bucket's size, with end after start", nameof(blobs));
            }

            if (ConflictsToReturn > 0)
            {
                ConflictsToReturn--;
                return false;
            }

            _backingKeys.Add(key);
        }

        var appended = await _backing!.TryAppendAsync(key, expectedVersion, blobs, bucketExpiresUnixMs, cancellationToken);
        if (appended)
        {
            lock (_lock)
            {
                Appends++;
            }
        }

        return appended;
    }

    private List<BucketKey> BackingKeys()
    {
        lock (_lock)
        {
            return [.. _backingKeys];
        }
    }

    private void ThrowIfAppendFailing()
    {
        if (AppendFailure is { } failure)
        {
            throw failure;
        }
    }

    private void ThrowIfFailing()
    {
        if (Failure is { } failure)
        {
            throw failure;
        }
    }

    // The contract: a blob's bytes go at its end; a bucket's events go at the bucket's expiry.
    private void Purge(long now)
    {
        foreach (var (key, bucket) in _buckets.ToList())
        {
            if (bucket.ExpiresUnixMs <= now)
            {
                bucket.Blobs.ForEach(b => CryptographicOperations.ZeroMemory(MemoryMarshal.AsMemory(b.Content).Span));
                _buckets.Remove(key);
                continue;
            }

            foreach (var expired in bucket.Blobs.Where(b => b.EndUnixMs <= now).ToList())
            {
                CryptographicOperations.ZeroMemory(MemoryMarshal.AsMemory(expired.Content).Span);
                bucket.Blobs.Remove(expired);
            }
        }
    }

    private sealed class Bucket
    {
        public long Version { get; set; }

        public long ExpiresUnixMs { get; set; }

        public List<SlotEvent> Events { get; } = [];

        public List<StoredBlob> Blobs { get; } = [];
    }
}
