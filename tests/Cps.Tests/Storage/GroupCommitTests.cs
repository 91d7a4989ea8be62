using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// The writer loop batches appends into shared transactions and acknowledges none of them before its
/// transaction has committed.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 / 3600 * 3600 + 100);
    private readonly TemporaryDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public async Task ConcurrentAppends_CommitInFewerTransactionsThanRequests()
    {
        await using var store = LiteDbBlobStore.Open(LiteDbStoreFixture.Options(_directory.Path), _time);
        using var gate = new CommitGate();
        store.BeforeCommit = gate.HoldFirstCommit;

        var first = Append(store, 0);
        gate.WaitUntilHeld();
        var rest = Enumerable.Range(1, 199).Select(i => Append(store, (uint)i)).ToList();
        gate.Release();
        var results = await Task.WhenAll(rest.Prepend(first));

        Assert.All(results, Assert.True);
        // The first append alone, then the 199 queued meanwhile in batches of at most 100.
        Assert.Equal(3, store.AppendTransactionCount);
    }

    [Fact]
    public async Task ConcurrentAppends_WithBatchWaitOnRealClock_ShareTransactions()
    {
        var options = LiteDbStoreFixture.Options(_directory.Path);
        options.BatchWait = TimeSpan.FromMilliseconds(20);
        await using var store = LiteDbBlobStore.Open(options, TimeProvider.System);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => Append(store, (uint)i, TimeProvider.System))));

        Assert.All(results, Assert.True);
        Assert.InRange(store.AppendTransactionCount, 2, 199);
    }

    [Fact]
    public async Task Appends_AreNotAcknowledgedBeforeTheirTransactionCommits()
    {
        await using var store = LiteDbBlobStore.Open(LiteDbStoreFixture.Options(_directory.Path), _time);
        using var gate = new CommitGate();
        store.BeforeCommit = gate.HoldFirstCommit;

        var appends = Enumerable.Range(0, 50).Select(i => Append(store, (uint)i)).ToList();
        gate.WaitUntilHeld();
        // The writer sits inside the first transaction, its documents written but not committed.
        await Task.Delay(200);
        Assert.All(appends, append => Assert.False(append.IsCompleted));

        gate.Release();
        Assert.All(await Task.WhenAll(appends), Assert.True);
    }

    [Fact]
    public async Task FailedCommit_FailsEveryRequestOfItsTransaction_AndNoneIsStored()
    {
        await using (var store = LiteDbBlobStore.Open(LiteDbStoreFixture.Options(_directory.Path), _time))
        {
            using var gate = new CommitGate();
            var commits = 0;
            store.BeforeCommit = () =>
            {
                if (Interlocked.Increment(ref commits) == 2)
                {
                    throw new IOException("injected commit failure");
                }
                gate.HoldFirstCommit();
            };

            var first = Append(store, 0);
            gate.WaitUntilHeld();
            // Queued while the first commit is held: 100 go into the failing transaction (including a version
            // conflict, which fails with them rather than answering false), 50 into the next one.
            var failing = Enumerable.Range(1, 99).Select(i => Append(store, (uint)i)).Append(Append(store, 0)).ToList();
            var later = Enumerable.Range(101, 50).Select(i => Append(store, (uint)i)).ToList();
            gate.Release();

            Assert.True(await first);
            foreach (var append in failing)
            {
                // A failed write is the store's state, answered `unavailable` (503), never `internal`.
                var exception = await Assert.ThrowsAsync<StoreUnavailableException>(() => append);
                Assert.Equal("injected commit failure", Assert.IsType<IOException>(exception.InnerException).Message);
            }
            Assert.All(await Task.WhenAll(later), Assert.True);
            Assert.Equal(2, store.AppendTransactionCount);
            Assert.Equal(1, (await store.ReadAsync(Key(0), default)).Version);
            Assert.Equal((true, null), await store.CheckReadyAsync(default));
        }

        await using var reopened = LiteDbBlobStore.Open(LiteDbStoreFixture.Options(_directory.Path), _time);
        Assert.Equal(1, (await reopened.ReadAsync(Key(0), default)).Version);
        for (uint i = 1; i <= 100; i++)
        {
            Assert.Equal(0, (await reopened.ReadAsync(Key(i), default)).Version);
        }
        for (uint i = 101; i <= 150; i++)
        {
            Assert.Single((await reopened.ReadAsync(Key(i), default)).LiveBlobs);
        }
    }

    [Fact]
    public async Task TwoAppendsToOneBucketInOneTransaction_TheSecondSeesTheFirst()
    {
        await using var store = LiteDbBlobStore.Open(LiteDbStoreFixture.Options(_directory.Path), _time);
        using var gate = new CommitGate();
        store.BeforeCommit = gate.HoldFirstCommit;

        var first = Append(store, 99);
        gate.WaitUntilHeld();
        var atVersion0 = Append(store, 1, version: 0);
        var atVersion1 = Append(store, 1, version: 1);
        var staleAgain = Append(store, 1, version: 0);
        gate.Release();

        Assert.True(await first);
        Assert.True(await atVersion0);
        Assert.True(await atVersion1);
        Assert.False(await staleAgain);
        Assert.Equal(2, store.AppendTransactionCount);
        var state = await store.ReadAsync(Key(1), default);
        Assert.Equal(2, state.Version);
        Assert.Equal(2, state.LiveBlobs.Count);
    }

    public void Dispose() => _directory.Dispose();

    private static BucketKey Key(uint bucket) => new(1_800_000_000 / 3600, 2048, bucket);

    private Task<bool> Append(LiteDbBlobStore store, uint bucket, long version = 0) => Append(store, bucket, _time, version);

    private static Task<bool> Append(LiteDbBlobStore store, uint bucket, TimeProvider time, long version = 0)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var key = new BucketKey((ulong)(now / 3_600_000), 2048, bucket);
        var expiry = ((long)key.Epoch + 1) * 3_600_000 + 65_000;
        StoredBlob blob = new((int)(bucket % 16), now, now + 30_000, RandomNumberGenerator.GetBytes(2048));
        return store.TryAppendAsync(key, version, [blob], expiry, default).AsTask();
    }

    /// <summary>Holds the writer inside its first transaction, just before the commit, until released.</summary>
    private sealed class CommitGate : IDisposable
    {
        private readonly ManualResetEventSlim _held = new();
        private readonly ManualResetEventSlim _released = new();
        private int _calls;

        public void HoldFirstCommit()
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                _held.Set();
                Assert.True(_released.Wait(TimeSpan.FromSeconds(30)), "The test never released the commit.");
            }
        }

        public void WaitUntilHeld() => Assert.True(_held.Wait(TimeSpan.FromSeconds(30)), "The writer never reached a commit.");

        public void Release() => _released.Set();

        public void Dispose()
        {
            _released.Set();
            _held.Dispose();
            _released.Dispose();
        }
    }
}
