using System.Net;
using System.Security.Cryptography;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.Cps.Tests.Api;

/// <summary>The per-bucket cap of the slot model and the per-client rate limits (spec §8, brief "Abuse").</summary>
public sealed class AbuseTests
{
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);

    [Fact]
    [Trait("Claim", "TM-13")]
    public async Task Store_IntoABucketHoldingSlotsMinusOneRealBlobs_Answers503WithRetryAfterAndStoresNothing()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        for (var i = 0; i < 15; i++)
        {
            using var accepted = await client.StoreAsync(Epoch, "0f0f", RandomNumberGenerator.GetBytes(2048));
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
            factory.Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var before = factory.Store.Snapshot();

        using var refused = await client.StoreAsync(Epoch, "0f0f", RandomNumberGenerator.GetBytes(2048));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var problem = await refused.ProblemAsync();
        Assert.Equal("bucket-full", problem.ProblemName());
        // A constant wait: the soonest end of a busy slot would say how long someone else's real blob still lives.
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(before, factory.Store.Snapshot());

        // The full bucket still answers slots blobs with at least one decoy, and other buckets still take blobs.
        var blobs = await client.RetrieveBlobsAsync(Epoch, "0f0f");
        Assert.Equal(16, blobs.Count);
        using var other = await client.StoreAsync(Epoch, "0f10", RandomNumberGenerator.GetBytes(2048));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task Store_SeveralBlobsThatWouldOverfillTheBucket_IsRefusedWhole()
    {
        using var factory = new CpsFactory(settings: new Dictionary<string, string?> { ["Cps:Limits:MaxBlobsPerStore"] = "8" });
        using var client = factory.CreateClient();
        await client.StoreAsync(Epoch, "0f0f", RandomNumberGenerator.GetBytes(8 * 2048));
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        var before = factory.Store.Snapshot();

        using var refused = await client.StoreAsync(Epoch, "0f0f", RandomNumberGenerator.GetBytes(8 * 2048));
        using var fits = await client.StoreAsync(Epoch, "0f0f", RandomNumberGenerator.GetBytes(7 * 2048));

        Assert.Equal("bucket-full", (await refused.ProblemAsync()).ProblemName());
        Assert.NotEqual(before, factory.Store.Snapshot());
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        Assert.Equal(15, factory.Store.LiveBlobs(new BucketKey(Epoch, 2048, 0x0f0f)).Count);
    }

    [Fact]
    [Trait("Claim", "TM-13")]
    public async Task Flood_OfOneBucket_NeverEvictsAnotherBucketsBlobs()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        var victim = RandomNumberGenerator.GetBytes(2048);
        await client.StoreAsync(Epoch, "0001", victim);

        var refusals = 0;
        for (var i = 0; i < 200; i++)
        {
            using var response = await client.StoreAsync(Epoch, "0002", RandomNumberGenerator.GetBytes(2048));
            refusals += response.StatusCode == HttpStatusCode.ServiceUnavailable ? 1 : 0;
            factory.Time.Advance(TimeSpan.FromMilliseconds(50)); // 10 s of flooding, well within the victim's minimum 20 s
        }

        Assert.Equal(200 - 15, refusals);
        var blobs = await client.RetrieveBlobsAsync(Epoch, "0001");
        Assert.Single(blobs, b => b.SequenceEqual(victim));
    }

    [Fact]
    [Trait("Claim", "TM-13")]
    public async Task RateLimit_OverTheStoreLimit_Answers429WithRetryAfterForThatClientOnly()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cps:RateLimits:Store:PermitLimit"] = "3",
            ["Cps:RateLimits:Store:WindowSeconds"] = "3600",
        };
        using var factory = new CpsFactory(settings: settings);
        using var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.StoreAsync(Epoch, "0100", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.7");
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        var before = factory.Store.Snapshot();
        using var limited = await client.StoreAsync(Epoch, "0100", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.7");
        using var otherClient = await client.StoreAsync(Epoch, "0100", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.8");
        using var retrieveStillAllowed = await client.RetrieveAsync(Epoch, "0100", clientAddress: "198.51.100.7");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var problem = await limited.ProblemAsync();
        Assert.Equal("rate-limited", problem.ProblemName());
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3600));
        Assert.Equal(HttpStatusCode.Created, otherClient.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retrieveStillAllowed.StatusCode);
        Assert.NotEqual(before, factory.Store.Snapshot()); // only the other client's blob
        Assert.Equal(4, factory.Store.LiveBlobs(new BucketKey(Epoch, 2048, 0x0100)).Count);
    }

    [Fact]
    public async Task RateLimit_OverTheRetrieveLimit_Answers429()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cps:RateLimits:Retrieve:PermitLimit"] = "2",
            ["Cps:RateLimits:Retrieve:WindowSeconds"] = "3600",
        };
        using var factory = new CpsFactory(settings: settings);
        using var client = factory.CreateClient();

        using var first = await client.RetrieveAsync(Epoch, "0100", clientAddress: "2001:db8:1:2::1");
        using var second = await client.RetrieveAsync(Epoch, "0100", clientAddress: "2001:db8:1:2::99");
        using var third = await client.RetrieveAsync(Epoch, "0100", clientAddress: "2001:db8:1:2:ffff::5");
        using var otherPrefix = await client.RetrieveAsync(Epoch, "0100", clientAddress: "2001:db8:1:3::1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode); // same /64
        Assert.Equal("rate-limited", (await third.ProblemAsync()).ProblemName());
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, otherPrefix.StatusCode);
    }
}
