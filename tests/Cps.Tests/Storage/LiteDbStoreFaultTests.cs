using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// The embedded store when its device fails under it (a full disk, an I/O error, an fsync that fails): the write in
/// flight is refused as <see cref="StoreUnavailableException"/> (answered <c>unavailable</c>, 503, never
/// <c>internal</c>), nothing acknowledged is lost or damaged, reads never pass a bucket off as empty, and once the
/// device works again the store takes writes at once, without a restart. Found by filling a 3 MiB tmpfs under a
/// running CPS: LiteDB kept the failed transaction's collection lock, so every later store waited a minute for it
/// and failed, and its engine refused reads.
/// </summary>
public sealed class LiteDbStoreFaultTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 / 3600 * 3600 + 100);

    // No hang may pass for a failure: a store that waits on a lock held by a failed transaction fails the test.
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(15);

    private readonly TemporaryDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly DeviceFaults _faults = new();

    [Theory]
    [Trait("Claim", "TM-12")]
    [InlineData(FaultKind.Write)]
    [InlineData(FaultKind.Sync)]
    public async Task Append_WhenTheDeviceFails_IsUnavailable_AndTheNextAppendWorks_WithEveryAcknowledgedBlobIntact(FaultKind kind)
    {
        await using var store = Open();
        var key = Key(1);
        var first = Blob(0);
        Assert.True(await AppendAsync(store, key, 0, first));

        _faults.Arm(kind, afterOperations: 0);
        var failed = await Assert.ThrowsAsync<StoreUnavailableException>(() => AppendAsync(store, Key(2), 0, Blob(1)));
        Assert.IsType<IOException>(failed.InnerException);
        _faults.Disarm();
        AbandonedInstancesAreNeverFinalized();

        // Reads go on: the acknowledged blob, byte for byte.
        Assert.Equal([first.Content.ToArray()], (await ReadAsync(store, key)).LiveBlobs.Select(b => b.Content.ToArray()));
        var third = Blob(2);
        Assert.True(await AppendAsync(store, Key(3), 0, third));
        Assert.Equal([third.Content.ToArray()], (await ReadAsync(store, Key(3))).LiveBlobs.Select(b => b.Content.ToArray()));
        Assert.True(store.ReopenCount >= 1);
        Assert.Equal((true, null), await store.CheckReadyAsync(default).AsTask().WaitAsync(Bounded));
        await store.DisposeAsync();
        for (var i = 0; i < 3; i++)
        {
            AbandonedInstancesAreNeverFinalized();
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Every write and every sync of an append's transaction, failed in turn: after each, the store recovers, and
    /// every blob acknowledged so far is served byte for byte; a refused blob is either absent or intact (it was never
    /// acknowledged, so either is allowed), never damaged.
    /// </summary>
    [Fact]
    [Trait("Claim", "TM-12")]
    public async Task EveryWriteAndSyncOfAnAppend_FailedInTurn_LosesNothingAcknowledged()
    {
        // How many writes and syncs one append makes (with its period key already in place).
        int writes, syncs;
        await using (var probe = Open(Path.Combine(_directory.Path, "probe")))
        {
            Assert.True(await AppendAsync(probe, Key(100), 0, Blob(100)));
            _faults.ResetCounts();
            Assert.True(await AppendAsync(probe, Key(101), 0, Blob(101)));
            (writes, syncs) = (_faults.Writes, _faults.Syncs);
        }

        Assert.InRange(writes, 1, 1000);
        Assert.InRange(syncs, 1, 1000);
        await using var store = Open();
        var acknowledged = new Dictionary<BucketKey, StoredBlob>();
        var refused = new Dictionary<BucketKey, StoredBlob>();
        var n = 0;
        foreach (var (kind, count) in new[] { (FaultKind.Write, writes), (FaultKind.Sync, syncs) })
        {
            for (var at = 0; at < count; at++)
            {
                var ok = Key((uint)(1000 + n));
                var okBlob = Blob(1000 + n);
                Assert.True(await AppendAsync(store, ok, 0, okBlob));
                acknowledged[ok] = okBlob;

                var bad = Key((uint)(5000 + n));
                var badBlob = Blob(5000 + n);
                _faults.Arm(kind, afterOperations: at);
                try
                {
                    Assert.True(await AppendAsync(store, bad, 0, badBlob));
                    acknowledged[bad] = badBlob; // the fault point lay beyond this append's operations
                }
                catch (StoreUnavailableException)
                {
                    refused[bad] = badBlob;
                    AbandonedInstancesAreNeverFinalized();

                    // The store opens a failed file again at once, then at most once a second (a device that keeps
                    // failing must not make every write open another LiteDB instance).
                    _time.Advance(TimeSpan.FromSeconds(1));
                }

                _faults.Disarm();
                n++;
            }
        }

        Assert.NotEmpty(refused);
        foreach (var (key, blob) in acknowledged)
        {
            var state = await ReadAsync(store, key);
            Assert.Equal([blob.Content.ToArray()], state.LiveBlobs.Select(b => b.Content.ToArray()));
        }

        foreach (var (key, blob) in refused)
        {
            var live = (await ReadAsync(store, key)).LiveBlobs;
            Assert.True(live.Count == 0 || (live.Count == 1 && live[0].Content.Span.SequenceEqual(blob.Content.Span)), $"bucket {key}: a refused blob came back damaged");
        }

        Assert.Equal(0, store.CorruptBlobCount);

        // And the files reopen as a sound store after all this.
        await store.DisposeAsync();
        await using var reopened = Open();
        foreach (var (key, blob) in acknowledged)
        {
            Assert.Equal([blob.Content.ToArray()], (await ReadAsync(reopened, key)).LiveBlobs.Select(b => b.Content.ToArray()));
        }
    }

    public void Dispose() => _directory.Dispose();

    // LiteDB leaves the failed transaction undisposed, and its finalizer throws on the finalizer thread, which ends
    // the process: the store keeps abandoned instances reachable so that it never runs. A collection here would crash
    // the test host if one were let go.
    private static void AbandonedInstancesAreNeverFinalized()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private LiteDbBlobStore Open(string? directory = null)
    {
        var options = LiteDbStoreFixture.Options(directory ?? _directory.Path);
        options.Faults = _faults;
        return LiteDbBlobStore.Open(options, _time);
    }

    private static BucketKey Key(uint bucket) => new(1_800_000_000 / 3600, 2048, bucket);

    private StoredBlob Blob(int slot)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return new StoredBlob(slot % 16, now, now + 50_000, RandomNumberGenerator.GetBytes(2048));
    }

    private static async Task<bool> AppendAsync(LiteDbBlobStore store, BucketKey key, long version, StoredBlob blob) =>
        await store.TryAppendAsync(key, version, [blob], ((long)key.Epoch + 1) * 3_600_000 + 65_000, default).AsTask().WaitAsync(Bounded);

    private static async Task<BucketState> ReadAsync(LiteDbBlobStore store, BucketKey key) =>
        await store.ReadAsync(key, default).AsTask().WaitAsync(Bounded);

    public enum FaultKind
    {
        Write,
        Sync,
    }

    /// <summary>Fails the n-th write or sync of an epoch file (data or log) after arming, with the error a full disk gives.</summary>
    private sealed class DeviceFaults : IStoreFileFaults
    {
        private readonly Lock _lock = new();
        private FaultKind? _kind;
        private int _remaining;

        public int Writes { get; private set; }

        public int Syncs { get; private set; }

        public void Arm(FaultKind kind, int afterOperations)
        {
            lock (_lock)
            {
                _kind = kind;
                _remaining = afterOperations;
            }
        }

        public void Disarm()
        {
            lock (_lock)
            {
                _kind = null;
            }
        }

        public void ResetCounts()
        {
            lock (_lock)
            {
                Writes = 0;
                Syncs = 0;
            }
        }

        public void BeforeWrite(string path, long position, int count)
        {
            lock (_lock)
            {
                Writes++;
                Hit(FaultKind.Write);
            }
        }

        public void BeforeSync(string path)
        {
            lock (_lock)
            {
                Syncs++;
                Hit(FaultKind.Sync);
            }
        }

        // Once armed, keeps failing (a full disk stays full) until disarmed.
        private void Hit(FaultKind kind)
        {
            if (_kind != kind)
            {
                return;
            }

            if (_remaining > 0)
            {
                _remaining--;
                return;
            }

            throw new IOException("No space left on device");
        }
    }
}
