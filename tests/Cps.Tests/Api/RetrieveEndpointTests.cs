using System.Net;
using System.Security.Cryptography;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Api;

public sealed class RetrieveEndpointTests
{
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);

    [Fact]
    public async Task Retrieve_EmptyBucket_AnswersSixteenBlobsUncached()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();

        using var response = await client.RetrieveAsync(Epoch, "1234");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(16 * 2048, response.Content.Headers.ContentLength);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Null(response.Headers.ETag);
        Assert.Null(response.Content.Headers.LastModified);
        var blobs = (await response.Content.ReadAsByteArrayAsync()).Chunk(2048).ToList();
        Assert.Equal(16, blobs.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public async Task Retrieve_AfterStore_ServesTheRealBlobOnceUntilItsEnd()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        var blob = RandomNumberGenerator.GetBytes(2048);
        await client.StoreAsync(Epoch, "1234", blob);
        var end = Assert.Single(factory.Store.LiveBlobs(new(Epoch, 2048, 0x1234))).EndUnixMs;

        var during = await client.RetrieveBlobsAsync(Epoch, "1234");
        factory.Time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(end - 1));
        var lastMoment = await client.RetrieveBlobsAsync(Epoch, "1234");
        factory.Time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(end));
        var after = await client.RetrieveBlobsAsync(Epoch, "1234");

        Assert.Single(during, b => b.SequenceEqual(blob));
        Assert.Single(lastMoment, b => b.SequenceEqual(blob));
        Assert.DoesNotContain(after, b => b.SequenceEqual(blob));
        Assert.Equal(16, after.Count);
    }

    [Fact]
    [Trait("Claim", "TM-06")]
    public async Task Retrieve_BucketWithAndWithoutRealBlob_AnswersIdenticalStatusHeadersAndLength()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        await client.StoreAsync(Epoch, "0aaa", RandomNumberGenerator.GetBytes(2048));

        using var hit = await client.RetrieveAsync(Epoch, "0aaa");
        using var miss = await client.RetrieveAsync(Epoch, "0bbb");

        Assert.Equal(hit.StatusCode, miss.StatusCode);
        Assert.Equal(Headers(hit), Headers(miss));
        Assert.Equal((await hit.Content.ReadAsByteArrayAsync()).Length, (await miss.Content.ReadAsByteArrayAsync()).Length);
        Assert.Contains("Content-Length: 32768", Headers(hit));

        static string Headers(HttpResponseMessage response) => string.Join("\n", response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key != "Date")
            .Select(h => $"{h.Key}: {string.Join(",", h.Value)}")
            .Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Retrieve_SameBucketAtTheSameTime_ServesTheSameBlobsInAnotherOrder()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        await client.StoreAsync(Epoch, "0777", RandomNumberGenerator.GetBytes(2 * 2048));

        var orders = new HashSet<string>();
        var sets = new HashSet<string>();
        for (var i = 0; i < 8; i++)
        {
            var blobs = await client.RetrieveBlobsAsync(Epoch, "0777");
            orders.Add(string.Join(",", blobs.Select(b => Convert.ToHexString(b, 0, 4))));
            sets.Add(string.Join(",", blobs.Select(b => Convert.ToHexString(b, 0, 4)).Order(StringComparer.Ordinal)));
        }

        Assert.Single(sets);
        Assert.True(orders.Count > 1, "eight retrievals came back in the same order: the answer is not shuffled");
    }

    [Fact]
    public async Task Retrieve_TwoSizeClasses_AnswersEachClassInConfigurationOrder()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cps:Classes:0:Size"] = "4096",
            ["Cps:Classes:0:Slots"] = "10",
            ["Cps:Classes:1:Size"] = "1024",
            ["Cps:Classes:1:Slots"] = "12",
        };
        using var factory = new CpsFactory(settings: settings);
        using var client = factory.CreateClient();
        var small = RandomNumberGenerator.GetBytes(1024);
        var large = RandomNumberGenerator.GetBytes(4096);
        await client.StoreAsync(Epoch, "0001", small, size: 1024);
        await client.StoreAsync(Epoch, "0001", large, size: 4096);

        using var response = await client.RetrieveAsync(Epoch, "0001");
        var body = await response.Content.ReadAsByteArrayAsync();

        // Classes are published smallest first (spec §7), and retrievals follow the published order.
        Assert.Equal((12 * 1024) + (10 * 4096), body.Length);
        Assert.Single(body.AsSpan(0, 12 * 1024).ToArray().Chunk(1024), b => b.SequenceEqual(small));
        Assert.Single(body.AsSpan(12 * 1024).ToArray().Chunk(4096), b => b.SequenceEqual(large));
    }

    [Fact]
    public async Task Retrieve_JustAfterTheBoundary_AcceptsThePreviousEpochUntilMaxRetentionPlusTwiceTheSkew()
    {
        var boundary = DateTimeOffset.FromUnixTimeSeconds((long)(Epoch + 1) * 3600);
        using var factory = new CpsFactory(time: new(boundary.AddSeconds(-10)));
        using var client = factory.CreateClient();
        var blob = RandomNumberGenerator.GetBytes(2048);
        await client.StoreAsync(Epoch, "0042", blob);

        factory.Time.SetUtcNow(boundary.AddSeconds(5));
        var afterBoundary = await client.RetrieveBlobsAsync(Epoch, "0042");
        factory.Time.SetUtcNow(boundary.AddSeconds(60 + 10 - 0.001));
        using var lastAccepted = await client.RetrieveAsync(Epoch, "0042");
        factory.Time.SetUtcNow(boundary.AddSeconds(60 + 10));
        using var tooLate = await client.RetrieveAsync(Epoch, "0042");

        Assert.Contains(afterBoundary, b => b.SequenceEqual(blob));
        Assert.Equal(HttpStatusCode.OK, lastAccepted.StatusCode);
        var problem = await tooLate.ProblemAsync();
        Assert.Equal("epoch-out-of-range", problem.ProblemName());
        Assert.Equal($"epoch {Epoch} is not accepted now; retrievals accept epochs {Epoch + 1}..{Epoch + 1}", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Retrieve_BeforeTheBoundary_AcceptsTheNextEpochWithinTwiceTheSkew()
    {
        var boundary = DateTimeOffset.FromUnixTimeSeconds((long)(Epoch + 1) * 3600);
        using var factory = new CpsFactory(time: new(boundary.AddSeconds(-10.001)));
        using var client = factory.CreateClient();

        using var early = await client.RetrieveAsync(Epoch + 1, "0042");
        factory.Time.Advance(TimeSpan.FromMilliseconds(1));
        using var accepted = await client.RetrieveAsync(Epoch + 1, "0042");

        Assert.Equal("epoch-out-of-range", (await early.ProblemAsync()).ProblemName());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    public static TheoryData<string, string, int, string, string> BadRetrievals()
    {
        var e = Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new()
        {
            { "x1", "0a1b", 400, "bad-epoch", "character 1 of the epoch is not a decimal digit" },
            { "00", "0a1b", 400, "bad-epoch", "an epoch has no leading zeros" },
            { e, "zzzz", 400, "bad-bucket", "character 1 of the bucket is not a lowercase hex digit" },
            { e, "ffff", 400, "bad-bucket", "bucket value is 65535, at or above 2^14" },
            { e, "%20a1b", 400, "bad-bucket", "character 1 of the bucket is not a lowercase hex digit" },
            { e, "0a1b0", 400, "bad-bucket", "a bucket is exactly 4 lowercase hex digits; got 5 characters" },
            { (Epoch - 2).ToString(System.Globalization.CultureInfo.InvariantCulture), "0a1b", 422, "epoch-out-of-range", $"epoch {Epoch - 2} is not accepted now; retrievals accept epochs {Epoch}..{Epoch}" },
            { "0", "0a1b", 422, "epoch-out-of-range", $"epoch 0 is not accepted now; retrievals accept epochs {Epoch}..{Epoch}" },
        };
    }

    [Theory]
    [MemberData(nameof(BadRetrievals))]
    public async Task Retrieve_WithBadInput_AnswersTheProblemAndChangesNothing(string epoch, string bucket, int status, string problem, string detail)
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        await client.StoreAsync(Epoch, "0a1b", RandomNumberGenerator.GetBytes(2048));
        var before = factory.Store.Snapshot();
        var reads = factory.Store.Reads;

        using var response = await client.GetAsync(new Uri($"/v1/epochs/{epoch}/buckets/{bucket}", UriKind.Relative));

        Assert.Equal(status, (int)response.StatusCode);
        var json = await response.ProblemAsync();
        Assert.Equal(problem, json.ProblemName());
        Assert.Equal(detail, (string?)json["detail"]);
        Assert.Equal(before, factory.Store.Snapshot());
        Assert.Equal(reads, factory.Store.Reads);
    }

    [Theory]
    [InlineData("GET", "/v1/nothing", 404, "not-found")]
    [InlineData("GET", "/", 404, "not-found")]
    [InlineData("DELETE", "/v1/epochs/525960/buckets/0a1b", 405, "method-not-allowed")]
    [InlineData("PUT", "/v1/config", 405, "method-not-allowed")]
    public async Task UnknownRouteOrMethod_AnswersAProblem(string method, string path, int status, string problem)
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(problem, (await response.ProblemAsync()).ProblemName());
        Assert.Equal(status == 405, response.Content.Headers.Allow.Count > 0);
    }
}
