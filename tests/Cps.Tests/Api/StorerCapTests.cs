using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps.Tests.Storage;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.Redis;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Api;

/// <summary>
/// The storer cap (spec/protocol.md §8 "Store", TM-61): one storer (IPv4 address, IPv6 /48, or storer certificate)
/// holds at most <c>Cps:StorerCap:MaxLiveBlobsPerBucket</c> live real blobs per bucket; a store over it is
/// <c>storer-limit</c> (429, constant <c>Retry-After</c>), decided from that storer's own blobs only, across every
/// node of a Redis cluster, and its accounting keeps no address. The black-box tests of what this hides from an
/// outsider are in tests/Cps.Tests/Privacy/FillOracleTests.cs.
/// </summary>
public sealed class StorerCapTests
{
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);

    /// <summary>The service's defaults for the cap (CpsFactory makes it generous for the other tests).</summary>
    private static readonly Dictionary<string, string?> DefaultCap = new() { ["Cps:StorerCap:MaxLiveBlobsPerBucket"] = "4" };

    [Fact]
    [Trait("Claim", "TM-13")]
    [Trait("Claim", "TM-61")]
    public async Task Store_OverTheStorerCap_Answers429StorerLimitWithAConstantRetryAfter_AndStoresNothing()
    {
        using var factory = new CpsFactory(settings: DefaultCap);
        using var client = factory.CreateClient();
        for (var i = 0; i < 4; i++)
        {
            using var accepted = await client.StoreAsync(Epoch, "0c0c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.20");
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }

        var before = factory.Store.Snapshot();
        using var refused = await client.StoreAsync(Epoch, "0c0c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.20");
        var after = factory.Store.Snapshot();
        using var otherBucket = await client.StoreAsync(Epoch, "0c0d", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.20");
        using var otherStorer = await client.StoreAsync(Epoch, "0c0c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.21");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var problem = await refused.ProblemAsync();
        Assert.Equal("storer-limit", problem.ProblemName());
        Assert.Equal("this storer may hold at most 4 live blobs of 2048 bytes in a bucket, and this store would exceed that; its blobs end within 60 s of their store", (string?)problem["detail"]);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.Created, otherBucket.StatusCode);
        Assert.Equal(HttpStatusCode.Created, otherStorer.StatusCode);
        Assert.Equal(5, factory.Store.LiveBlobs(new BucketKey(Epoch, 2048, 0x0c0c)).Count);
        Assert.Equal(before, after);
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task StorerCap_CountsTheStorersBlobsUntilTheirEnd_NotLonger()
    {
        // The held places are settled to each blob's own end: as soon as one of the storer's blobs ends, it may store
        // one more, and no sooner (a hold left at its provisional end, the bucket's expiry, would fail this).
        using var factory = new CpsFactory(settings: DefaultCap);
        using var client = factory.CreateClient();
        var key = new BucketKey(Epoch, 2048, 0x0c1c);
        for (var i = 0; i < 4; i++)
        {
            using var accepted = await client.StoreAsync(Epoch, "0c1c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.30");
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
            factory.Time.Advance(TimeSpan.FromMilliseconds(10));
        }

        var ends = factory.Store.LiveBlobs(key).Select(b => b.EndUnixMs).Order().ToList();
        var now = factory.Time.GetUtcNow().ToUnixTimeMilliseconds();
        factory.Time.Advance(TimeSpan.FromMilliseconds(ends[0] - now - 1)); // 1 ms before the first end
        using var early = await client.StoreAsync(Epoch, "0c1c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.30");
        factory.Time.Advance(TimeSpan.FromMilliseconds(1)); // the first blob has ended
        using var afterFirstEnd = await client.StoreAsync(Epoch, "0c1c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.30");
        using var stillFull = await client.StoreAsync(Epoch, "0c1c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.30");

        Assert.Equal("storer-limit", (await early.ProblemAsync()).ProblemName());
        Assert.Equal(HttpStatusCode.Created, afterFirstEnd.StatusCode);
        Assert.Equal("storer-limit", (await stillFull.ProblemAsync()).ProblemName());
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task StorerCap_AfterAnAppendThatMayHaveWritten_KeepsTheStorersPlace()
    {
        // A store whose append failed without saying whether it wrote (a timeout) keeps its place until the bucket
        // expires: counting the storer's blobs too long only costs the storer; too short would let it pass the cap.
        using var factory = new CpsFactory(settings: DefaultCap);
        using var client = factory.CreateClient();
        factory.Store.AppendFailure = new StoreUnavailableException("the append timed out");
        using var unknown = await client.StoreAsync(Epoch, "0c7c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.90");
        factory.Store.AppendFailure = null;

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.StoreAsync(Epoch, "0c7c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.90");
            answers.Add(response.StatusCode == HttpStatusCode.Created ? "created" : (await response.ProblemAsync()).ProblemName());
        }

        Assert.Equal("unavailable", (await unknown.ProblemAsync()).ProblemName());
        Assert.Equal(["created", "created", "created", "storer-limit"], answers);
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task StorerCap_AfterARefusal_ReleasesTheStorersPlaces()
    {
        // A store refused for a full bucket (or a conflict storm) stored nothing: its places go at once.
        using var factory = new CpsFactory(settings: DefaultCap);
        using var client = factory.CreateClient();
        factory.Store.ConflictsToReturn = 100;
        using var busy = await client.StoreAsync(Epoch, "0c8c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.91");
        factory.Store.ConflictsToReturn = 0;

        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.StoreAsync(Epoch, "0c8c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.91");
            answers.Add(response.StatusCode == HttpStatusCode.Created ? "created" : (await response.ProblemAsync()).ProblemName());
        }

        Assert.Equal("bucket-busy", (await busy.ProblemAsync()).ProblemName());
        Assert.Equal(["created", "created", "created", "created", "storer-limit"], answers);
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task StorerCap_CountsAnIpv6Slash48AsOneStorer()
    {
        using var factory = new CpsFactory(settings: DefaultCap);
        using var client = factory.CreateClient();
        string[] sameSlash48 = ["2001:db8:77:1::1", "2001:db8:77:2::1", "2001:db8:77:ffff::9", "2001:db8:77:1234:5678::1"];
        foreach (var address in sameSlash48)
        {
            using var accepted = await client.StoreAsync(Epoch, "0c2c", RandomNumberGenerator.GetBytes(2048), clientAddress: address);
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }

        using var fifthInTheSlash48 = await client.StoreAsync(Epoch, "0c2c", RandomNumberGenerator.GetBytes(2048), clientAddress: "2001:db8:77:abcd::1");
        using var nextSlash48 = await client.StoreAsync(Epoch, "0c2c", RandomNumberGenerator.GetBytes(2048), clientAddress: "2001:db8:78::1");

        Assert.Equal("storer-limit", (await fifthInTheSlash48.ProblemAsync()).ProblemName());
        Assert.Equal(HttpStatusCode.Created, nextSlash48.StatusCode);
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task StorerCap_ConcurrentStoresOfOneStorer_AreRefusedForTheCapOnly_NeverForAFullBucket()
    {
        // Others hold 11 = slots − cap − 1 live blobs, the most that never fills the bucket for one storer. Twelve concurrent stores of one storer: exactly four are taken,
        // every other one is storer-limit, and none sees bucket-full, because places are held before the bucket is
        // read (checking the cap after reading the bucket would let a concurrent store see the storer's own blobs
        // fill it, and so learn that others hold 11).
        using var factory = new CpsFactory(settings: DefaultCap);
        using var client = factory.CreateClient();
        for (var i = 0; i < 11; i++)
        {
            using var other = await client.StoreAsync(Epoch, "0c3c", RandomNumberGenerator.GetBytes(2048), clientAddress: $"198.51.100.{40 + (i / 4)}");
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        factory.Store.ReadDelay = TimeSpan.FromMilliseconds(100); // every store is in flight at once
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var response = await client.StoreAsync(Epoch, "0c3c", RandomNumberGenerator.GetBytes(2048), clientAddress: "198.51.100.50");
            return response.StatusCode == HttpStatusCode.Created ? "created" : (await response.ProblemAsync()).ProblemName();
        }));

        Assert.Equal(4, answers.Count(a => a == "created"));
        Assert.Equal(8, answers.Count(a => a == "storer-limit"));
        Assert.Equal(15, factory.Store.LiveBlobs(new BucketKey(Epoch, 2048, 0x0c3c)).Count);
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task StorerCap_SpreadOverTwoNodes_IsHeldOnceAcrossTheCluster()
    {
        // Runs on the test cluster whatever STIR_CPS_TEST_STORE says: the ledger is the cluster's.
        var prefix = "cap-" + Guid.NewGuid().ToString("N");
        var time = new FakeTimeProvider(CpsFactory.DefaultStart);
        using var nodeA = new CpsFactory(store: CpsTestStore.CreateRedis(time, DefaultCap, prefix), time: time, settings: DefaultCap);
        using var nodeB = new CpsFactory(store: CpsTestStore.CreateRedis(time, DefaultCap, prefix), time: time, settings: DefaultCap);
        using var a = nodeA.CreateClient();
        using var b = nodeB.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await (i % 2 == 0 ? a : b).StoreAsync(Epoch, "0c4c", RandomNumberGenerator.GetBytes(2048), clientAddress: "203.0.113.60");
            statuses.Add(response.StatusCode);
        }

        using var fifthOnA = await a.StoreAsync(Epoch, "0c4c", RandomNumberGenerator.GetBytes(2048), clientAddress: "203.0.113.60");
        using var fifthOnB = await b.StoreAsync(Epoch, "0c4c", RandomNumberGenerator.GetBytes(2048), clientAddress: "203.0.113.60");
        using var otherStorer = await b.StoreAsync(Epoch, "0c4c", RandomNumberGenerator.GetBytes(2048), clientAddress: "203.0.113.61");

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Created, status));
        Assert.Equal("storer-limit", (await fifthOnA.ProblemAsync()).ProblemName());
        Assert.Equal("storer-limit", (await fifthOnB.ProblemAsync()).ProblemName());
        Assert.Equal(HttpStatusCode.Created, otherStorer.StatusCode);
        Assert.Equal(5, nodeA.Store.LiveBlobs(new BucketKey(Epoch, 2048, 0x0c4c)).Count);
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task StorerLedger_InTheCluster_HoldsNoAddress_LivesInTheBucketsSlot_AndExpiresWithTheBlobs()
    {
        var prefix = "cap-" + Guid.NewGuid().ToString("N");
        var time = new FakeTimeProvider(CpsFactory.DefaultStart);
        var store = CpsTestStore.CreateRedis(time, DefaultCap, prefix);
        using var node = new CpsFactory(store: store, time: time, settings: DefaultCap);
        using var client = node.CreateClient();
        using var response = await client.StoreAsync(Epoch, "0c5c", RandomNumberGenerator.GetBytes(2048), clientAddress: "203.0.113.77");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var redis = (RedisBlobStore)store.Backing!;
        var keys = new List<string>();
        foreach (var server in redis.Connection.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: prefix + ":{*}:s:*"))
            {
                keys.Add(key.ToString());
            }
        }

        var ledgerKey = Assert.Single(keys);
        Assert.DoesNotContain("203.0.113", ledgerKey, StringComparison.Ordinal);
        Assert.Matches($"^{prefix}:\\{{{Epoch}/2048/c5c\\}}:s:[A-Za-z0-9_-]{{22}}$", ledgerKey);
        var database = redis.Connection.GetDatabase();
        var entries = await database.SortedSetRangeByRankWithScoresAsync(ledgerKey);
        var blob = Assert.Single(node.Store.LiveBlobs(new BucketKey(Epoch, 2048, 0x0c5c)));
        Assert.Equal(blob.EndUnixMs, (long)Assert.Single(entries).Score); // settled to the blob's end
        var ttl = await database.KeyTimeToLiveAsync(ledgerKey);
        var life = blob.EndUnixMs - time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.InRange(ttl!.Value.TotalMilliseconds, life - 5_000, life); // the key goes at the blob's end
        Assert.DoesNotContain("203.0.113", string.Join(",", entries.Select(e => e.Element.ToString())), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task StorerCap_WithStorerAuthentication_IsPerCertificate_WhateverTheAddress()
    {
        using var directory = new TemporaryDirectory();
        var time = new FakeTimeProvider(CpsFactory.DefaultStart);
        using var pki = DevelopmentPki.Create(time);
        using var storerA = pki.IssueEndEntity("storer-a", new TNAuthList([new TNEntry.One(TelephoneNumber.ParseE164("+12025550143"))]), TimeSpan.FromDays(2));
        using var storerB = pki.IssueEndEntity("storer-b", new TNAuthList([new TNEntry.One(TelephoneNumber.ParseE164("+12025550144"))]), TimeSpan.FromDays(2));
        var anchors = Path.Combine(directory.Path, "anchors.pem");
        await File.WriteAllTextAsync(anchors, pki.Root.Certificate.ExportCertificatePem());
        const string Audience = "http://localhost/";
        using var factory = new CpsFactory(time: time, settings: new Dictionary<string, string?>(DefaultCap)
        {
            ["Cps:StoreAuthentication:Mode"] = "required",
            ["Cps:StoreAuthentication:TrustAnchors"] = anchors,
            ["Cps:StoreAuthentication:Audience"] = Audience,
            ["Cps:StorerCap:AuthenticatedMaxLiveBlobsPerBucket"] = "5",
        });
        using var http = factory.CreateClient();

        async Task<string> StoreAsync(DevelopmentCredential storer, string address)
        {
            var body = RandomNumberGenerator.GetBytes(2048);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{CpsRequests.Path(Epoch, "0c6c")}?size=2048", UriKind.Relative)) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + StoreTokens.Make(storer, Audience, body, time.GetUtcNow()));
            request.Headers.Add(TestClientAddress.Header, address);
            using var response = await http.SendAsync(request);
            return response.StatusCode == HttpStatusCode.Created ? "created" : (await response.ProblemAsync()).ProblemName();
        }

        // Storer A from five addresses is one storer with the authenticated cap (5); storer B from A's address is another.
        var a = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            a.Add(await StoreAsync(storerA, $"198.51.100.{70 + i}"));
        }

        var b = await StoreAsync(storerB, "198.51.100.70");

        Assert.Equal(["created", "created", "created", "created", "created", "storer-limit"], a);
        Assert.Equal("created", b);
    }

    [Theory]
    [InlineData("2001:db8:abcd:1234:5678:9abc:def0:1234", 48, "2001:db8:abcd::/48")]
    [InlineData("2001:db8:abcd:1234:5678:9abc:def0:1234", 44, "2001:db8:abc0::/44")]
    [InlineData("2001:db8:abcd:1234:5678:9abc:def0:1234", 64, "2001:db8:abcd:1234::/64")]
    [InlineData("2001:db8:abcd:1234:5678:9abc:def0:1234", 128, "2001:db8:abcd:1234:5678:9abc:def0:1234/128")]
    [InlineData("::ffff:198.51.100.7", 48, "198.51.100.7")]
    [InlineData("198.51.100.7", 48, "198.51.100.7")]
    public void ClientPartition_CutsAnIpv6AddressToThePrefix_AndKeepsIpv4Whole(string address, int prefix, string partition)
    {
        Assert.Equal(partition, CpsService.Abuse.ClientPartition.For(IPAddress.Parse(address), prefix));
    }
}
