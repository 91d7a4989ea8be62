using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.Redis;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// What the Redis store does beyond the common contract: native expiry in the servers, one hash slot per bucket,
/// one salt and cover key cluster-wide, refusing persistence and eviction, dropping damaged values, and answering
/// "unavailable" within a bounded time when the cluster is gone.
/// </summary>
public sealed class RedisBlobStoreTests
{
    private const int Size = 2048;
    private static readonly TimeSpan Epoch = TimeSpan.FromHours(1);
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(65);

    private readonly string _prefix = "redis-" + Guid.NewGuid().ToString("N");

    [Fact]
    [Trait("Claim", "TM-51")]
    public async Task Append_BlobBytesVanishFromTheServersAtTheBlobsEnd()
    {
        var cluster = await RedisServers.Shared;
        await using var store = RedisBlobStore.Open(Options(cluster), TimeProvider.System);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var key = new BucketKey((ulong)(now / (long)Epoch.TotalMilliseconds), Size, 0x51);
        var blob = new StoredBlob(3, now, now + 700, RandomNumberGenerator.GetBytes(Size));
        var expires = ((long)key.Epoch + 1) * (long)Epoch.TotalMilliseconds + (long)Retention.TotalMilliseconds;
        Assert.True(await store.TryAppendAsync(key, 0, [blob], expires, default));

        var keys = new RedisBucketKeys(_prefix, key);
        var database = store.Connection.GetDatabase();
        var blobTtl = await database.KeyTimeToLiveAsync(keys.Blob(1, 0));
        var metaTtl = await database.KeyTimeToLiveAsync(keys.Meta);
        Assert.InRange(blobTtl ?? TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(700));
        Assert.InRange(metaTtl ?? TimeSpan.Zero, TimeSpan.FromMilliseconds(expires - now - 2000), TimeSpan.FromMilliseconds(expires - now));

        await Task.Delay(1000);

        // Gone from the server itself, not only filtered out by the store.
        Assert.False(await database.KeyExistsAsync(keys.Blob(1, 0)));
        var state = await store.ReadAsync(key, default);
        Assert.Empty(state.LiveBlobs);
        Assert.Equal([blob.Event], state.Events);
    }

    [Fact]
    public async Task BucketKeys_ShareOneHashSlot_BucketsSpreadOverEveryPrimary()
    {
        var cluster = await RedisServers.Shared;
        await using var store = RedisBlobStore.Open(Options(cluster), TimeProvider.System);
        var slots = new HashSet<int>();
        for (uint bucket = 0; bucket < 64; bucket++)
        {
            var keys = new RedisBucketKeys(_prefix, new BucketKey(500000, Size, bucket));
            var slot = store.Connection.HashSlot(keys.Meta);
            Assert.All(Enumerable.Range(0, 8), j => Assert.Equal(slot, store.Connection.HashSlot(keys.Blob(j + 1, j))));
            slots.Add(slot);
        }
        var map = store.Connection.GetServers().First(server => server.IsConnected).ClusterConfiguration!;
        var primaries = slots.Select(slot => map.GetBySlot(slot)!.EndPoint).Distinct().Count();
        Assert.True(slots.Count > 50, $"only {slots.Count} distinct slots for 64 buckets");
        Assert.Equal(3, primaries);
    }

    [Fact]
    [Trait("Claim", "TM-52")]
    public async Task TwoNodes_SeeOneSaltOneCoverKeyAndEachOthersBlobsAtOnce()
    {
        var cluster = await RedisServers.Shared;
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));
        var nodes = Enumerable.Range(0, 4).Select(_ => RedisBlobStore.Open(Options(cluster), time)).ToArray();
        try
        {
            // All four ask at once for secrets that do not exist yet: SET NX makes one win everywhere.
            var salts = await Task.WhenAll(nodes.Select(node => node.GetIndexSaltAsync(default).AsTask()));
            var covers = await Task.WhenAll(nodes.Select(node => node.GetCoverKeyAsync(default).AsTask()));
            Assert.Single(salts.Select(salt => Convert.ToHexString(salt.Span)).Distinct());
            Assert.Single(covers.Select(cover => Convert.ToHexString(cover.Span)).Distinct());

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var key = new BucketKey((ulong)(now / (long)Epoch.TotalMilliseconds), Size, 0x52);
            var expires = ((long)key.Epoch + 1) * (long)Epoch.TotalMilliseconds + (long)Retention.TotalMilliseconds;
            var blob = new StoredBlob(1, now, now + 30_000, RandomNumberGenerator.GetBytes(Size));
            Assert.True(await nodes[0].TryAppendAsync(key, 0, [blob], expires, default));

            var seen = await nodes[1].ReadAsync(key, default);
            Assert.Equal(1, seen.Version);
            Assert.Equal(blob.Content.ToArray(), Assert.Single(seen.LiveBlobs).Content.ToArray());
            // The second node's append with the version it read wins; a stale one from the first loses.
            Assert.True(await nodes[1].TryAppendAsync(key, 1, [blob with { Slot = 2 }], expires, default));
            Assert.False(await nodes[0].TryAppendAsync(key, 1, [blob with { Slot = 3 }], expires, default));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    public static TheoryData<string, string, string> UnsafeSettings() => new()
    {
        { "--save", "3600 1", "RDB snapshots are on" },
        { "--appendonly", "yes", "the append-only file is on" },
        { "--maxmemory-policy", "volatile-lru", "maxmemory-policy is volatile-lru" },
    };

    [Theory]
    [MemberData(nameof(UnsafeSettings))]
    [Trait("Claim", "TM-50")]
    public async Task Open_OnAServerThatPersistsOrEvicts_RefusesNamingTheSetting(string setting, string value, string expected)
    {
        using var server = await RedisServers.StartStandaloneAsync(setting, value);

        var error = Assert.Throws<InvalidOperationException>(() => RedisBlobStore.Open(Options(server), TimeProvider.System));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("Cps:Redis:VerifyServerSettings", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-50")]
    public async Task Open_OnAServerThatPersists_WithVerificationOff_Opens()
    {
        using var server = await RedisServers.StartStandaloneAsync("--save", "3600 1");
        var options = Options(server);
        options.VerifyServerSettings = false;

        await using var store = RedisBlobStore.Open(options, TimeProvider.System);

        Assert.Equal((true, null), await store.CheckReadyAsync(default));
    }

    [Fact]
    [Trait("Claim", "TM-50")]
    public async Task Open_AfterPersistenceWasTurnedOnLater_Refuses()
    {
        using var server = await RedisServers.StartStandaloneAsync();
        await using var store = RedisBlobStore.Open(Options(server), TimeProvider.System);
        Assert.Equal((true, null), await store.CheckReadyAsync(default));

        // The check runs once per connection: an operator turning persistence on later is caught at the next start.
        await server.CliAsync(0, "config", "set", "appendonly", "yes");
        var error = Assert.Throws<InvalidOperationException>(() => RedisBlobStore.Open(Options(server), TimeProvider.System));
        Assert.Contains("append-only file is on", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-53")]
    public async Task Read_OfADamagedOrMisplacedValue_DropsItAndNeverServesIt()
    {
        var cluster = await RedisServers.Shared;
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));
        await using var store = RedisBlobStore.Open(Options(cluster), time);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var key = new BucketKey((ulong)(now / (long)Epoch.TotalMilliseconds), Size, 0x55);
        var other = key with { Bucket = 0x56 };
        var expires = ((long)key.Epoch + 1) * (long)Epoch.TotalMilliseconds + (long)Retention.TotalMilliseconds;
        StoredBlob[] blobs = [new(1, now, now + 30_000, RandomNumberGenerator.GetBytes(Size)), new(2, now, now + 30_000, RandomNumberGenerator.GetBytes(Size))];
        Assert.True(await store.TryAppendAsync(key, 0, blobs, expires, default));
        Assert.True(await store.TryAppendAsync(other, 0, [new(1, now, now + 30_000, RandomNumberGenerator.GetBytes(Size))], expires, default));
        var database = store.Connection.GetDatabase();
        var keys = new RedisBucketKeys(_prefix, key);

        // One byte flipped in the first blob; the second replaced by the other bucket's (valid) value.
        var first = (byte[])(await database.StringGetAsync(keys.Blob(1, 0)))!;
        first[^1] ^= 1;
        await database.StringSetAsync(keys.Blob(1, 0), first, TimeSpan.FromMinutes(1));
        var misplaced = (byte[])(await database.StringGetAsync(new RedisBucketKeys(_prefix, other).Blob(1, 0)))!;
        await database.StringSetAsync(keys.Blob(1, 1), misplaced, TimeSpan.FromMinutes(1));

        var state = await store.ReadAsync(key, default);

        Assert.Empty(state.LiveBlobs);
        Assert.Equal(blobs.Select(b => b.Event), state.Events);
        Assert.Equal(2, store.CorruptBlobCount);
    }

    [Fact]
    [Trait("Claim", "TM-07")]
    public async Task Read_IsOneRoundTrip_WhateverTheBucketHolds()
    {
        // A second round trip for live blobs made a bucket with a real blob answer ~0.1 ms later (issue 13): every read
        // is one script call, for an empty bucket, one with live blobs, and one whose blobs have ended.
        var cluster = await RedisServers.Shared;
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));
        await using var store = RedisBlobStore.Open(Options(cluster), time);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var epoch = (ulong)(now / (long)Epoch.TotalMilliseconds);
        var expires = ((long)epoch + 1) * (long)Epoch.TotalMilliseconds + (long)Retention.TotalMilliseconds;
        BucketKey empty = new(epoch, Size, 0x70), full = new(epoch, Size, 0x71), ended = new(epoch, Size, 0x72);
        Assert.True(await store.TryAppendAsync(full, 0, [.. Enumerable.Range(1, 3).Select(s => new StoredBlob(s, now, now + 30_000, RandomNumberGenerator.GetBytes(Size)))], expires, default));
        Assert.True(await store.TryAppendAsync(ended, 0, [new StoredBlob(1, now - 20_000, now + 1, RandomNumberGenerator.GetBytes(Size))], expires, default));
        time.Advance(TimeSpan.FromMilliseconds(1));
        _ = await store.ReadAsync(empty, default); // the settings check's commands, once

        var session = new StackExchange.Redis.Profiling.ProfilingSession();
        store.Connection.RegisterProfiler(() => session);
        var calls = new Dictionary<string, string[]>();
        foreach (var (name, key) in new[] { ("empty", empty), ("live", full), ("ended", ended) })
        {
            var state = await store.ReadAsync(key, default);
            calls[name] = [.. session.FinishProfiling().Select(c => c.Command)];
            Assert.Equal(name == "live" ? 3 : 0, state.LiveBlobs.Count);
        }

        Assert.All(calls, c => Assert.True(c.Value is ["EVALSHA"] or ["EVAL"], $"{c.Key}: {string.Join(", ", c.Value)}"));
    }

    [Fact]
    [Trait("Claim", "TM-53")]
    public async Task Calls_WhenTheClusterIsGone_AnswerUnavailableWithinTheTimeout()
    {
        using var server = await RedisServers.StartStandaloneAsync();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));
        await using var store = RedisBlobStore.Open(Options(server), time);
        var salt = await store.GetIndexSaltAsync(default);
        server.Kill(0);
        var key = new BucketKey(527777, Size, 1);

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.ReadAsync(key, default));
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.TryAppendAsync(key, 0, [new(1, 1_900_000_000_000, 1_900_000_030_000, new byte[Size])], 1_900_000_060_000, default));
        var (ready, reason) = await store.CheckReadyAsync(default);
        clock.Stop();

        Assert.False(ready);
        Assert.NotNull(reason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        // Secrets already read stay served from memory: they never change.
        Assert.Equal(salt.ToArray(), (await store.GetIndexSaltAsync(default)).ToArray());
    }

    private RedisStoreOptions Options(RedisServers servers) => new()
    {
        Configuration = servers.Configuration,
        KeyPrefix = _prefix,
        EpochLength = Epoch,
        BucketRetentionAfterEpoch = Retention,
    };
}
