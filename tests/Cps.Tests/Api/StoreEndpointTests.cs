using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.Cps.Tests.Api;

public sealed class StoreEndpointTests
{
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);

    [Fact]
    public async Task Store_OneBlob_Answers201AfterTheStoreHoldsIt()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        var blob = RandomNumberGenerator.GetBytes(2048);

        using var response = await client.StoreAsync(Epoch, "0a1b", blob);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Headers.Location);
        var receipt = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(1, (int)receipt["stored"]!);
        Assert.Equal(20, (int)receipt["minRetentionSeconds"]!);
        var stored = Assert.Single(factory.Store.LiveBlobs(new BucketKey(Epoch, 2048, 0x0a1b)));
        Assert.Equal(blob, stored.Content.ToArray());
        var now = factory.Time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal(now, stored.StartUnixMs);
        Assert.InRange(stored.EndUnixMs - stored.StartUnixMs, 20_000, 60_000);
        Assert.InRange(stored.Slot, 0, 15);
    }

    [Fact]
    public async Task Store_FourBlobs_TakesFourDistinctSlots()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();

        using var response = await client.StoreAsync(Epoch, "0001", RandomNumberGenerator.GetBytes(4 * 2048));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(4, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["stored"]!);
        var blobs = factory.Store.LiveBlobs(new BucketKey(Epoch, 2048, 1));
        Assert.Equal(4, blobs.Select(b => b.Slot).Distinct().Count());
    }

    [Fact]
    public async Task Store_WithoutContentLength_IsReadAndStored()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        var blob = RandomNumberGenerator.GetBytes(2 * 2048);
        using var content = new StreamContent(new NonSeekableStream(blob));
        content.Headers.ContentType = new("application/octet-stream");

        using var response = await client.PostAsync(new Uri(CpsRequests.Path(Epoch, "0002") + "?size=2048", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, factory.Store.LiveBlobs(new BucketKey(Epoch, 2048, 2)).Count);
    }

    [Fact]
    [Trait("Claim", "TM-14")]
    public async Task Store_AtEpochBoundaryWithinSkew_AcceptsThePreviousAndNextEpoch()
    {
        var start = DateTimeOffset.FromUnixTimeSeconds((long)(Epoch + 1) * 3600);
        using var factory = new CpsFactory(time: new(start.AddSeconds(-3)));
        using var client = factory.CreateClient();

        using var next = await client.StoreAsync(Epoch + 1, "0003", RandomNumberGenerator.GetBytes(2048));
        factory.Time.Advance(TimeSpan.FromSeconds(6)); // now 3 s into epoch + 1
        using var previous = await client.StoreAsync(Epoch, "0003", RandomNumberGenerator.GetBytes(2048));

        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
        Assert.Equal(HttpStatusCode.Created, previous.StatusCode);
    }

    public static TheoryData<string, string, string, string, int, string, string> BadStores()
    {
        var e = Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        const string ok = "application/octet-stream";
        return new()
        {
            // path epoch, bucket, query, content type, body length → problem name, detail
            { "abc", "0a1b", "?size=2048", ok, 2048, "bad-epoch", "character 1 of the epoch is not a decimal digit" },
            { "0" + e, "0a1b", "?size=2048", ok, 2048, "bad-epoch", "an epoch has no leading zeros" },
            { "-1", "0a1b", "?size=2048", ok, 2048, "bad-epoch", "character 1 of the epoch is not a decimal digit" },
            { "99999999999999999999", "0a1b", "?size=2048", ok, 2048, "bad-epoch", "the epoch is larger than 2^64 − 1" },
            { "123456789012345678901", "0a1b", "?size=2048", ok, 2048, "bad-epoch", "an epoch is 1 to 20 decimal digits; got 21 characters" },
            { e, "0a1", "?size=2048", ok, 2048, "bad-bucket", "a bucket is exactly 4 lowercase hex digits; got 3 characters" },
            { e, "0a1b2", "?size=2048", ok, 2048, "bad-bucket", "a bucket is exactly 4 lowercase hex digits; got 5 characters" },
            { e, "0A1B", "?size=2048", ok, 2048, "bad-bucket", "character 2 of the bucket is not a lowercase hex digit" },
            { e, "4000", "?size=2048", ok, 2048, "bad-bucket", "bucket value is 16384, at or above 2^14" },
            { (Epoch - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "0a1b", "?size=2048", ok, 2048, "epoch-out-of-range", $"epoch {Epoch - 1} is not accepted now; stores accept epochs {Epoch}..{Epoch}" },
            { (Epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "0a1b", "?size=2048", ok, 2048, "epoch-out-of-range", $"epoch {Epoch + 1} is not accepted now; stores accept epochs {Epoch}..{Epoch}" },
            { e, "0a1b", "?size=2048", "text/plain", 2048, "unsupported-media-type", "blobs are sent as application/octet-stream; the request has another Content-Type" },
            { e, "0a1b", "?size=2048", "application/json", 2048, "unsupported-media-type", "blobs are sent as application/octet-stream; the request has another Content-Type" },
            { e, "0a1b", "?size=2048", "", 2048, "unsupported-media-type", "blobs are sent as application/octet-stream; the request has no Content-Type" },
            { e, "0a1b", "", ok, 2048, "malformed-request", "the query parameter \"size\" is required (allowed sizes: 2048)" },
            { e, "0a1b", "?size=2048&size=2048", ok, 2048, "malformed-request", "the query parameter \"size\" is given more than once" },
            { e, "0a1b", "?size=1024", ok, 1024, "bad-blob-size", "\"size\" must be one of the size classes: 2048" },
            { e, "0a1b", "?size=abc", ok, 2048, "bad-blob-size", "\"size\" must be one of the size classes: 2048" },
            { e, "0a1b", "?size=+2048", ok, 2048, "bad-blob-size", "\"size\" must be one of the size classes: 2048" },
            { e, "0a1b", "?size=2048", ok, 0, "bad-blob-size", "the body is 0 bytes, not a whole number (1 to 4) of 2048-byte blobs" },
            { e, "0a1b", "?size=2048", ok, 2047, "bad-blob-size", "the body is 2047 bytes, not a whole number (1 to 4) of 2048-byte blobs" },
            { e, "0a1b", "?size=2048", ok, 4097, "bad-blob-size", "the body is 4097 bytes, not a whole number (1 to 4) of 2048-byte blobs" },
            { e, "0a1b", "?size=2048", ok, 5 * 2048, "body-too-large", "the body is 10240 bytes; this endpoint accepts at most 8192" },
        };
    }

    [Theory]
    [MemberData(nameof(BadStores))]
    [Trait("Claim", "TM-18")]
    public async Task Store_WithBadInput_AnswersTheProblemAndStoresNothing(string epoch, string bucket, string query, string contentType, int bodyLength, string problem, string detail)
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        await client.StoreAsync(Epoch, "0a1b", RandomNumberGenerator.GetBytes(2048)); // something to keep
        var before = factory.Store.Snapshot();
        using var content = new ByteArrayContent(RandomNumberGenerator.GetBytes(bodyLength));
        if (contentType.Length > 0)
        {
            content.Headers.ContentType = new(contentType);
        }

        using var response = await client.PostAsync(new Uri($"/v1/epochs/{epoch}/buckets/{bucket}{query}", UriKind.Relative), content);

        var json = await response.ProblemAsync();
        Assert.Equal(problem, json.ProblemName());
        Assert.Equal(detail, (string?)json["detail"]);
        Assert.Equal(before, factory.Store.Snapshot());
        Assert.Equal(1, factory.Store.Appends);
    }

    [Fact]
    [Trait("Claim", "TM-14")]
    public async Task Store_EpochOutOfRange_NamesTheAcceptedRangeAsMembers()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();

        using var response = await client.StoreAsync(Epoch + 5, "0a1b", new byte[2048]);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var json = await response.ProblemAsync();
        Assert.Equal(Epoch, (ulong)json["acceptedEpochs"]!["first"]!);
        Assert.Equal(Epoch, (ulong)json["acceptedEpochs"]!["last"]!);
    }

    [Fact]
    public async Task Store_BadSize_ListsTheAllowedSizes()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cps:Classes:0:Size"] = "1024",
            ["Cps:Classes:0:Slots"] = "16",
            ["Cps:Classes:1:Size"] = "4096",
            ["Cps:Classes:1:Slots"] = "16",
        };
        using var factory = new CpsFactory(settings: settings);
        using var client = factory.CreateClient();

        using var response = await client.StoreAsync(Epoch, "0a1b", new byte[2048], size: 2048);

        var json = await response.ProblemAsync();
        Assert.Equal("bad-blob-size", json.ProblemName());
        Assert.Equal("\"size\" must be one of the size classes: 1024, 4096", (string?)json["detail"]);
        Assert.Equal("[1024,4096]", json["allowedSizes"]!.ToJsonString());
    }

    [Fact]
    public async Task Store_MoreBlobsThanAllowedWithinTheBodyLimit_IsTooManyBlobs()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cps:Classes:0:Size"] = "1024",
            ["Cps:Classes:0:Slots"] = "16",
            ["Cps:Classes:1:Size"] = "4096",
            ["Cps:Classes:1:Slots"] = "16",
        };
        using var factory = new CpsFactory(settings: settings);
        using var client = factory.CreateClient();

        using var response = await client.StoreAsync(Epoch, "0a1b", new byte[9 * 1024], size: 1024);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var json = await response.ProblemAsync();
        Assert.Equal("too-many-blobs", json.ProblemName());
        Assert.Equal("the body holds 9 blobs; one store holds at most 4", (string?)json["detail"]);
        Assert.Empty(factory.Store.Keys);
    }

    [Fact]
    public async Task Store_ChunkedBodyOverTheLimit_IsRejectedAfterReadingNoMoreThanTheLimit()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        using var content = new StreamContent(new CountingStream(totalBytes: 8L * 1024 * 1024));
        content.Headers.ContentType = new("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(CpsRequests.Path(Epoch, "0a1b") + "?size=2048", UriKind.Relative)) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        var json = await response.ProblemAsync();
        Assert.Equal("body-too-large", json.ProblemName());
        Assert.Equal("the body is larger than 8192 bytes, the most this endpoint accepts", (string?)json["detail"]);
        Assert.InRange(factory.BodyMeter.BytesRead, 8193, 8192 + (64 * 1024));
        Assert.Empty(factory.Store.Keys);
    }

    [Fact]
    public async Task Store_DeclaredLengthOverTheLimit_IsRejectedWithoutReadingTheBody()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        var stream = new CountingStream(totalBytes: 8L * 1024 * 1024);
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new("application/octet-stream");
        content.Headers.ContentLength = stream.Length;

        using var response = await client.PostAsync(new Uri(CpsRequests.Path(Epoch, "0a1b") + "?size=2048", UriKind.Relative), content);

        var json = await response.ProblemAsync();
        Assert.Equal("body-too-large", json.ProblemName());
        Assert.Equal($"the body is {8L * 1024 * 1024} bytes; this endpoint accepts at most 8192", (string?)json["detail"]);
        Assert.Equal(0, factory.BodyMeter.BytesRead);
    }

    [Fact]
    public async Task Store_ConflictingWriters_RetriesAndStoresOnce()
    {
        using var factory = new CpsFactory(settings: CpsFactory.ManagementSettings);
        using var client = factory.CreateClient();
        factory.Store.ConflictsToReturn = 3;

        using var response = await client.StoreAsync(Epoch, "0a1b", RandomNumberGenerator.GetBytes(2048));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Single(factory.Store.LiveBlobs(new BucketKey(Epoch, 2048, 0x0a1b)));
        var metrics = await factory.GetMetricsAsync();
        Assert.True(metrics.Contains("cps_store_conflicts_total 3\n", StringComparison.Ordinal), metrics);
    }

    [Fact]
    public async Task Store_ConflictsOutlastingTheAttempts_AnswersBucketBusyAndStoresNothing()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        factory.Store.ConflictsToReturn = 1000;

        using var response = await client.StoreAsync(Epoch, "0a1b", RandomNumberGenerator.GetBytes(2048));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var json = await response.ProblemAsync();
        Assert.Equal("bucket-busy", json.ProblemName());
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal(1000 - 8, factory.Store.ConflictsToReturn);
        Assert.Empty(factory.Store.Keys);
    }

    [Fact]
    public async Task Store_WhenTheStoreFails_AnswersInternalWithoutItsMessage()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        factory.Store.Failure = new IOException("bucket 525960/2048/a1b is corrupt at /var/lib/cps");

        using var response = await client.StoreAsync(Epoch, "0a1b", RandomNumberGenerator.GetBytes(2048));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var json = await response.ProblemAsync();
        Assert.Equal("internal", json.ProblemName());
        Assert.DoesNotContain("corrupt", json.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(factory.Logs.Lines, l => l.Contains("System.IO.IOException", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains("corrupt", StringComparison.Ordinal) || l.Contains("a1b", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Store_WhenTheStoreCannotBeReachedYet_AnswersUnavailable()
    {
        using var factory = new CpsFactory();
        factory.Store.SecretsFailure = new IOException("offline");
        using var client = factory.CreateClient();

        using var response = await client.StoreAsync(Epoch, "0a1b", RandomNumberGenerator.GetBytes(2048));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var json = await response.ProblemAsync();
        Assert.Equal("unavailable", json.ProblemName());
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());

        factory.Store.SecretsFailure = null;
        using var retried = await client.StoreAsync(Epoch, "0a1b", RandomNumberGenerator.GetBytes(2048));
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
    }

    /// <summary>A body stream without a known length.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    /// <summary>An endless-looking body that counts what the server pulled from it.</summary>
    private sealed class CountingStream(long totalBytes) : Stream
    {
        private long _position;

        public long BytesRead => Interlocked.Read(ref _position);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => totalBytes;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, totalBytes - _position);
            Array.Clear(buffer, offset, n);
            Interlocked.Add(ref _position, n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
