using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.Storage.Redis;

namespace Stir.Encrypted.Cps.Tests.Api;

/// <summary>
/// With the Redis store, the per-client limits hold across nodes: a client that spreads its requests over two
/// nodes gets the limit once, not once per node. (Runs on the test cluster whatever STIR_CPS_TEST_STORE says.)
/// </summary>
public sealed class ClusterRateLimitTests
{
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);

    [Fact]
    [Trait("Claim", "TM-54")]
    public async Task StoreLimit_SpreadOverTwoNodes_IsSharedAnd429WithRetryAfter()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cps:RateLimits:Store:PermitLimit"] = "4",
            ["Cps:RateLimits:Store:WindowSeconds"] = "3600",
        };
        var prefix = "rate-" + Guid.NewGuid().ToString("N");
        var time = new FakeTimeProvider(CpsFactory.DefaultStart);
        using var nodeA = new CpsFactory(store: CpsTestStore.CreateRedis(time, settings, prefix), time: time, settings: settings);
        using var nodeB = new CpsFactory(store: CpsTestStore.CreateRedis(time, settings, prefix), time: time, settings: settings);
        using var a = nodeA.CreateClient();
        using var b = nodeB.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await (i % 2 == 0 ? a : b).StoreAsync(Epoch, "0200", RandomNumberGenerator.GetBytes(2048), clientAddress: "203.0.113.9");
            statuses.Add(response.StatusCode);
        }
        using var fifthOnA = await a.StoreAsync(Epoch, "0200", RandomNumberGenerator.GetBytes(2048), clientAddress: "203.0.113.9");
        using var fifthOnB = await b.StoreAsync(Epoch, "0200", RandomNumberGenerator.GetBytes(2048), clientAddress: "203.0.113.9");
        using var otherClient = await b.StoreAsync(Epoch, "0200", RandomNumberGenerator.GetBytes(2048), clientAddress: "203.0.113.10");

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Created, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, fifthOnA.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, fifthOnB.StatusCode);
        Assert.Equal("rate-limited", (await fifthOnB.ProblemAsync()).ProblemName());
        // One token comes back every 3600 s / 4.
        Assert.InRange(fifthOnA.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(850), TimeSpan.FromSeconds(900));
        Assert.Equal(HttpStatusCode.Created, otherClient.StatusCode);
        Assert.Equal(5, nodeA.Store.LiveBlobs(new(Epoch, 2048, 0x0200)).Count);
    }

    [Fact]
    [Trait("Claim", "TM-54")]
    public async Task ClusterKeys_HoldNoClientAddress()
    {
        var prefix = "rate-" + Guid.NewGuid().ToString("N");
        var time = new FakeTimeProvider(CpsFactory.DefaultStart);
        var store = CpsTestStore.CreateRedis(time, new Dictionary<string, string?>(), prefix);
        using var node = new CpsFactory(store: store, time: time);
        using var client = node.CreateClient();
        using var response = await client.RetrieveAsync(Epoch, "0201", clientAddress: "203.0.113.77");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var redis = (RedisBlobStore)store.Backing!;
        var keys = new List<string>();
        foreach (var server in redis.Connection.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: prefix + ":rate:*"))
            {
                keys.Add(key.ToString());
            }
        }

        var key1 = Assert.Single(keys);
        Assert.DoesNotContain("203.0.113", key1, StringComparison.Ordinal);
        Assert.Matches($"^{prefix}:rate:retrieve:[A-Za-z0-9_-]{{22}}$", key1);
    }
}
