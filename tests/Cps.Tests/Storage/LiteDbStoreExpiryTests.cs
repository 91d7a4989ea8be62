using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// Expired blobs are gone for good: not served, their bytes unrecoverable from any file of the data directory,
/// their keys destroyed, and each epoch's file deleted once its buckets have expired.
/// </summary>
public sealed class LiteDbStoreExpiryTests : IDisposable
{
    private const long EpochMs = 3_600_000;
    private const long RetentionMs = 65_000;
    private static readonly ulong Epoch = 1_800_000_000 / 3600;
    private readonly TemporaryDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds((long)Epoch * EpochMs + 100_000));

    private string StoreDirectory => Path.Combine(_directory.Path, "cps");

    [Fact]
    [Trait("Claim", "TM-11")]
    public async Task EpochFiles_AppearWithWrites_AndAreDeletedOnceTheirBucketsExpired()
    {
        await using var store = Open();
        Assert.True(await Append(store, new BucketKey(Epoch, 2048, 1), RandomNumberGenerator.GetBytes(2048), 30_000));
        Assert.Equal([Epoch], EpochFilesOnDisk());

        _time.Advance(TimeSpan.FromMilliseconds((long)(Epoch + 1) * EpochMs + 10_000 - Now()));
        Assert.True(await Append(store, new BucketKey(Epoch + 1, 2048, 1), RandomNumberGenerator.GetBytes(2048), 30_000));
        await store.SweepAsync();
        // Epoch e is over, but a bucket of it may still live for the retention.
        Assert.Equal([Epoch, Epoch + 1], EpochFilesOnDisk());

        _time.Advance(TimeSpan.FromMilliseconds((long)(Epoch + 1) * EpochMs + RetentionMs - Now()));
        await store.SweepAsync();
        Assert.Equal([Epoch + 1], EpochFilesOnDisk());
        Assert.Equal(0, (await store.ReadAsync(new BucketKey(Epoch, 2048, 1), default)).Version);
        Assert.Equal(1, (await store.ReadAsync(new BucketKey(Epoch + 1, 2048, 1), default)).Version);

        _time.Advance(TimeSpan.FromMilliseconds((long)(Epoch + 2) * EpochMs + RetentionMs - Now()));
        await store.SweepAsync();
        Assert.Empty(EpochFilesOnDisk());
        // Only the keys of the coming periods remain: the key directory does not grow either.
        Assert.InRange(Directory.GetFiles(Path.Combine(StoreDirectory, "keys")).Length, 1, 12);
    }

    [Fact]
    [Trait("Claim", "TM-11")]
    public async Task ExpiredBlobs_LeaveNeitherTheirBytesNorTheirKeysInAnyFile()
    {
        var bucket = new BucketKey(Epoch, 2048, 0x1f);
        byte[][] plaintexts = [RandomNumberGenerator.GetBytes(2048), RandomNumberGenerator.GetBytes(2048), RandomNumberGenerator.GetBytes(2048)];
        long[] lives = [20_000, 25_000, 30_000];
        var periods = lives.Select(life => (Now() + life - 1) / (long)LiteDbStoreFixture.KeyPeriod.TotalMilliseconds).Distinct().ToList();
        var store = Open();
        try
        {
            var version = 0;
            for (var i = 0; i < plaintexts.Length; i++)
            {
                Assert.True(await Append(store, bucket, plaintexts[i], lives[i], version++));
            }

            var before = DataDirectoryScan.Snapshot(_directory.Path);
            var keys = periods.Select(period => ReadPeriodKey(before, period)).ToList();
            // Sealed at rest from the start; the scan does find secrets where they are (the key files).
            Assert.All(plaintexts, plaintext => Assert.Empty(DataDirectoryScan.FilesContaining(before, plaintext)));
            Assert.All(keys, key => Assert.NotEmpty(DataDirectoryScan.FilesContaining(before, key)));

            // Past every end and past the end of the periods whose keys sealed them.
            _time.Advance(TimeSpan.FromMilliseconds(lives.Max() + (long)LiteDbStoreFixture.KeyPeriod.TotalMilliseconds));
            await store.SweepAsync();

            var state = await store.ReadAsync(bucket, default);
            Assert.Empty(state.LiveBlobs);
            Assert.Equal(3, state.Events.Count);
            var after = DataDirectoryScan.Snapshot(_directory.Path);
            Assert.All(plaintexts, plaintext => Assert.Empty(DataDirectoryScan.FilesContaining(after, plaintext)));
            Assert.All(keys, key => Assert.Empty(DataDirectoryScan.FilesContaining(after, key)));
            Assert.All(periods, period => Assert.False(File.Exists(Path.Combine(StoreDirectory, "keys", $"period-{period}.key"))));

            await store.DisposeAsync();
            // The sweeper rewrote the document without the sealed bytes; the slot events stay.
            using (var file = EpochFile.OpenOrCreate(StoreDirectory, Epoch, long.MaxValue))
            {
                var document = Assert.Single(file.ReadAll());
                Assert.Empty(document.Blobs);
                Assert.Equal(3, document.Events.Count);
            }
            var closed = DataDirectoryScan.Snapshot(_directory.Path);
            Assert.All(keys, key => Assert.Empty(DataDirectoryScan.FilesContaining(closed, key)));

            store = Open();
            _time.Advance(TimeSpan.FromMilliseconds((long)(Epoch + 1) * EpochMs + RetentionMs - Now()));
            await store.SweepAsync();
            Assert.Empty(EpochFilesOnDisk());
            Assert.Equal(0, (await store.ReadAsync(bucket, default)).Version);
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reopen_RebuildsTheExpiryQueueFromEveryDocument()
    {
        // More buckets than one page of the scan at open (256 documents).
        const int Buckets = 700;
        await using (var store = Open())
        {
            var appends = Enumerable.Range(0, Buckets)
                .Select(i => Append(store, new BucketKey(Epoch, 512, (uint)i), RandomNumberGenerator.GetBytes(512), 20_000 + i));
            Assert.All(await Task.WhenAll(appends), Assert.True);
        }

        await using (var reopened = Open())
        {
            Assert.Single((await reopened.ReadAsync(new BucketKey(Epoch, 512, Buckets - 1), default)).LiveBlobs);
            _time.Advance(TimeSpan.FromSeconds(30));
            // Only the queue rebuilt by the scan tells this sweep which documents hold expired bytes.
            await reopened.SweepAsync();
        }

        using var file = EpochFile.OpenOrCreate(StoreDirectory, Epoch, long.MaxValue);
        var documents = file.ReadAll();
        Assert.Equal(Buckets, documents.Count);
        Assert.All(documents, document => Assert.Empty(document.Blobs));
        Assert.Equal(Buckets, documents.Select(document => document.Id).Distinct().Count());
    }

    public void Dispose() => _directory.Dispose();

    private LiteDbBlobStore Open() => LiteDbBlobStore.Open(LiteDbStoreFixture.Options(_directory.Path), _time);

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<bool> Append(LiteDbBlobStore store, BucketKey key, byte[] content, long life, long version = 0)
    {
        var expiry = ((long)key.Epoch + 1) * EpochMs + RetentionMs;
        return await store.TryAppendAsync(key, version, [new StoredBlob(0, Now(), Now() + life, content)], expiry, default);
    }

    private List<ulong> EpochFilesOnDisk() =>
        [.. Directory.GetFiles(StoreDirectory, "epoch-*")
            .Select(path => Path.GetFileName(path))
            .Where(name => !name.EndsWith("-log.db", StringComparison.Ordinal))
            .Select(name => ulong.Parse(name["epoch-".Length..^".db".Length], CultureInfo.InvariantCulture))
            .Order()];

    private static byte[] ReadPeriodKey(IReadOnlyList<(string Path, byte[] Bytes)> files, long period)
    {
        var name = Path.Combine("cps", "keys", $"period-{period}.key");
        var (path, bytes) = Assert.Single(files, file => file.Path == name);
        var key = new byte[StoreKeyFile.ValueLength];
        StoreKeyFile.Parse(path, bytes, StoreKeyKind.PeriodKey, (ulong)period, key);
        return key;
    }
}
