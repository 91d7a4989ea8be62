using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// The contract of <see cref="IBlobStore"/> (its remarks), for any implementation: a store's fixture derives from
/// this class and says how to open (and reopen) its store on the fake clock <see cref="Time"/>.
/// </summary>
public abstract class BlobStoreContractTests
{
    /// <summary>The epoch length the fixture's store is configured with.</summary>
    protected static readonly TimeSpan EpochLength = TimeSpan.FromHours(1);

    /// <summary>How long after its epoch a bucket may live, as configured in the fixture's store.</summary>
    protected static readonly TimeSpan Retention = TimeSpan.FromSeconds(65);

    private const int Size = 2048;

    /// <summary>100 s into an epoch.</summary>
    protected static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 / 3600 * 3600 + 100);

    protected FakeTimeProvider Time { get; } = new(Start);

    /// <summary>
    /// Opens the fixture's store on <see cref="Time"/>; a second call after the first store is disposed reopens
    /// the same data (same test instance).
    /// </summary>
    private protected abstract ValueTask<IBlobStore> OpenStoreAsync();

    private long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    private ulong Epoch => (ulong)(NowMs / (long)EpochLength.TotalMilliseconds);

    private protected BucketKey Bucket(uint bucket) => new(Epoch, Size, bucket);

    private protected long BucketExpiry(BucketKey key) =>
        ((long)key.Epoch + 1) * (long)EpochLength.TotalMilliseconds + (long)Retention.TotalMilliseconds;

    private protected StoredBlob NewBlob(int slot, TimeSpan life) =>
        new(slot, NowMs, NowMs + (long)life.TotalMilliseconds, RandomNumberGenerator.GetBytes(Size));

    [Fact]
    public async Task Read_OfBucketNeverWritten_ReturnsEmptyVersionZero()
    {
        await using var store = await OpenStoreAsync();

        var state = await store.ReadAsync(Bucket(7), default);

        Assert.Equal(0, state.Version);
        Assert.Empty(state.Events);
        Assert.Empty(state.LiveBlobs);
    }

    [Fact]
    public async Task Append_ThenRead_ReturnsExactBlobsEventsAndVersionOne()
    {
        await using var store = await OpenStoreAsync();
        var key = Bucket(0x2a);
        StoredBlob[] blobs = [NewBlob(3, TimeSpan.FromSeconds(30)), NewBlob(11, TimeSpan.FromSeconds(45))];

        Assert.True(await store.TryAppendAsync(key, 0, blobs, BucketExpiry(key), default));
        var state = await store.ReadAsync(key, default);

        Assert.Equal(1, state.Version);
        Assert.Equal(blobs.Select(b => b.Event), state.Events);
        AssertSameBlobs(blobs, state.LiveBlobs);
    }

    [Fact]
    public async Task Append_WithStaleOrFutureVersion_ReturnsFalseAndWritesNothing()
    {
        await using var store = await OpenStoreAsync();
        var key = Bucket(1);
        var first = NewBlob(0, TimeSpan.FromSeconds(30));
        Assert.True(await store.TryAppendAsync(key, 0, [first], BucketExpiry(key), default));

        Assert.False(await store.TryAppendAsync(key, 0, [NewBlob(1, TimeSpan.FromSeconds(30))], BucketExpiry(key), default));
        Assert.False(await store.TryAppendAsync(key, 2, [NewBlob(2, TimeSpan.FromSeconds(30))], BucketExpiry(key), default));

        var state = await store.ReadAsync(key, default);
        Assert.Equal(1, state.Version);
        Assert.Equal([first.Event], state.Events);
        AssertSameBlobs([first], state.LiveBlobs);
    }

    [Fact]
    public async Task Appends_IncreaseVersionByOneAndKeepEventsInOrder()
    {
        await using var store = await OpenStoreAsync();
        var key = Bucket(2);
        var blobs = new List<StoredBlob>();

        for (var version = 0; version < 5; version++)
        {
            var blob = NewBlob(version, TimeSpan.FromSeconds(30 + version));
            blobs.Add(blob);
            Assert.True(await store.TryAppendAsync(key, version, [blob], BucketExpiry(key), default));
            Time.Advance(TimeSpan.FromMilliseconds(10));
        }

        var state = await store.ReadAsync(key, default);
        Assert.Equal(5, state.Version);
        Assert.Equal(blobs.Select(b => b.Event), state.Events);
        AssertSameBlobs(blobs, state.LiveBlobs);
    }

    [Fact]
    public async Task ConcurrentAppends_ToOneBucket_EveryAcknowledgedBlobIsReadable()
    {
        await using var store = await OpenStoreAsync();
        var key = Bucket(3);
        const int Writers = 12;
        const int AppendsEach = 5;

        var acknowledged = await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            var mine = new List<StoredBlob>();
            for (var i = 0; i < AppendsEach; i++)
            {
                var blob = NewBlob(writer, TimeSpan.FromSeconds(40));
                // The endpoints' pattern: read, compute, append with the version read, retry on conflict.
                while (true)
                {
                    var state = await store.ReadAsync(key, default);
                    if (await store.TryAppendAsync(key, state.Version, [blob], BucketExpiry(key), default))
                    {
                        mine.Add(blob);
                        break;
                    }
                }
            }
            return mine;
        })));

        var all = acknowledged.SelectMany(blobs => blobs).ToList();
        var final = await store.ReadAsync(key, default);
        Assert.Equal(Writers * AppendsEach, all.Count);
        Assert.Equal(all.Count, final.Version);
        Assert.Equal(all.Count, final.Events.Count);
        AssertSameBlobs(all, final.LiveBlobs);
    }

    [Fact]
    public async Task ConcurrentAppends_ToManyBuckets_EveryAcknowledgedBlobIsReadable()
    {
        await using var store = await OpenStoreAsync();
        const int Buckets = 150;

        var results = await Task.WhenAll(Enumerable.Range(0, Buckets).Select(i => Task.Run(async () =>
        {
            var key = Bucket((uint)i);
            StoredBlob[] blobs = [NewBlob(i % 16, TimeSpan.FromSeconds(50)), NewBlob((i + 1) % 16, TimeSpan.FromSeconds(20))];
            var stored = await store.TryAppendAsync(key, 0, blobs, BucketExpiry(key), default);
            return (key, blobs, stored);
        })));

        foreach (var (key, blobs, stored) in results)
        {
            Assert.True(stored);
            var state = await store.ReadAsync(key, default);
            Assert.Equal(1, state.Version);
            AssertSameBlobs(blobs, state.LiveBlobs);
        }
    }

    [Fact]
    public async Task Read_AtOrAfterBlobEnd_DoesNotReturnIt()
    {
        await using var store = await OpenStoreAsync();
        var key = Bucket(4);
        var shortLived = NewBlob(0, TimeSpan.FromSeconds(20));
        var longLived = NewBlob(1, TimeSpan.FromSeconds(50));
        Assert.True(await store.TryAppendAsync(key, 0, [shortLived, longLived], BucketExpiry(key), default));

        Time.Advance(TimeSpan.FromSeconds(20) - TimeSpan.FromMilliseconds(1));
        AssertSameBlobs([shortLived, longLived], (await store.ReadAsync(key, default)).LiveBlobs);

        Time.Advance(TimeSpan.FromMilliseconds(1));
        AssertSameBlobs([longLived], (await store.ReadAsync(key, default)).LiveBlobs);

        Time.Advance(TimeSpan.FromSeconds(30));
        var state = await store.ReadAsync(key, default);
        Assert.Empty(state.LiveBlobs);
        Assert.Equal([shortLived.Event, longLived.Event], state.Events);
    }

    [Fact]
    public async Task SlotEvents_AreKeptUntilBucketExpiry_ThenTheBucketIsGone()
    {
        await using var store = await OpenStoreAsync();
        var key = Bucket(5);
        var blob = NewBlob(9, TimeSpan.FromSeconds(30));
        var expiry = BucketExpiry(key);
        Assert.True(await store.TryAppendAsync(key, 0, [blob], expiry, default));

        Time.Advance(TimeSpan.FromMilliseconds(expiry - NowMs - 1));
        var before = await store.ReadAsync(key, default);
        Assert.Equal(1, before.Version);
        Assert.Equal([blob.Event], before.Events);
        Assert.Empty(before.LiveBlobs);

        Time.Advance(TimeSpan.FromMilliseconds(1));
        var after = await store.ReadAsync(key, default);
        Assert.Equal(0, after.Version);
        Assert.Empty(after.Events);
        Assert.Empty(after.LiveBlobs);
    }

    [Fact]
    public async Task FillingOneBucket_LeavesOtherBucketsIntact()
    {
        await using var store = await OpenStoreAsync();
        var quiet = Bucket(6);
        var neighbour = Bucket(7);
        var kept = NewBlob(2, TimeSpan.FromSeconds(55));
        Assert.True(await store.TryAppendAsync(quiet, 0, [kept], BucketExpiry(quiet), default));

        // Far beyond what the endpoints let into a bucket (slots − 1 real blobs per class).
        for (var version = 0; version < 60; version++)
        {
            StoredBlob[] flood = [.. Enumerable.Range(0, 4).Select(slot => NewBlob(slot, TimeSpan.FromSeconds(55)))];
            Assert.True(await store.TryAppendAsync(neighbour, version, flood, BucketExpiry(neighbour), default));
        }

        var state = await store.ReadAsync(quiet, default);
        Assert.Equal(1, state.Version);
        AssertSameBlobs([kept], state.LiveBlobs);
        Assert.Equal(240, (await store.ReadAsync(neighbour, default)).LiveBlobs.Count);
    }

    [Fact]
    public async Task AcknowledgedBlobs_SurviveReopen()
    {
        var key = Bucket(8);
        var blob = NewBlob(4, TimeSpan.FromSeconds(40));
        await using (var store = await OpenStoreAsync())
        {
            Assert.True(await store.TryAppendAsync(key, 0, [blob], BucketExpiry(key), default));
        }

        await using var reopened = await OpenStoreAsync();
        var state = await reopened.ReadAsync(key, default);

        Assert.Equal(1, state.Version);
        AssertSameBlobs([blob], state.LiveBlobs);
    }

    [Fact]
    public async Task CoverKeyAndIndexSalt_Are32RandomBytes_StableAcrossReopen()
    {
        byte[] cover;
        byte[] salt;
        await using (var store = await OpenStoreAsync())
        {
            cover = (await store.GetCoverKeyAsync(default)).ToArray();
            salt = (await store.GetIndexSaltAsync(default)).ToArray();
            Assert.Equal(cover, (await store.GetCoverKeyAsync(default)).ToArray());
        }

        await using var reopened = await OpenStoreAsync();

        Assert.Equal(32, cover.Length);
        Assert.Equal(32, salt.Length);
        Assert.NotEqual(cover, salt);
        Assert.Contains(cover, b => b != 0);
        Assert.Equal(cover, (await reopened.GetCoverKeyAsync(default)).ToArray());
        Assert.Equal(salt, (await reopened.GetIndexSaltAsync(default)).ToArray());
    }

    [Fact]
    public async Task Append_WithMisuse_Throws()
    {
        await using var store = await OpenStoreAsync();
        var key = Bucket(9);
        var expiry = BucketExpiry(key);
        var good = NewBlob(0, TimeSpan.FromSeconds(30));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryAppendAsync(key, 0, null!, expiry, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryAppendAsync(key, 0, [], expiry, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryAppendAsync(key, -1, [good], expiry, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryAppendAsync(key, 0, [good with { EndUnixMs = good.StartUnixMs }], expiry, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryAppendAsync(key, 0, [good with { EndUnixMs = expiry + 1 }], expiry, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryAppendAsync(key, 0, [good with { Content = ReadOnlyMemory<byte>.Empty }], expiry, default));
        Assert.Equal(0, (await store.ReadAsync(key, default)).Version);
    }

    /// <summary>Same blobs (slot, life, exact bytes), in any order.</summary>
    private protected static void AssertSameBlobs(IEnumerable<StoredBlob> expected, IEnumerable<StoredBlob> actual)
    {
        static string Describe(StoredBlob blob) =>
            $"{blob.Slot}/{blob.StartUnixMs}/{blob.EndUnixMs}/{Convert.ToHexString(blob.Content.Span)}";

        Assert.Equal(expected.Select(Describe).Order(StringComparer.Ordinal), actual.Select(Describe).Order(StringComparer.Ordinal));
    }
}
