using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Processes;

/// <summary>
/// The service as operators run it (its own entry point, Kestrel, the LiteDB store under <c>Cps:DataDirectory</c>,
/// every code default) on loopback, driven by the project's <see cref="CpsClient"/>: what the in-memory
/// WebApplicationFactory tests show holds over real HTTP too.
/// </summary>
[Collection(CpsProcessCollection.Name)]
public sealed class ProcessApiTests : IClassFixture<CpsProcessFixture>, IDisposable
{
    private readonly CpsProcess _cps;
    private readonly HttpClient _http = new();
    private readonly CpsClient _client;

    public ProcessApiTests(CpsProcessFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _cps = fixture.Process;
        _client = new CpsClient(_http, _cps.BaseUrl, new CpsClientOptions { Timeout = TimeSpan.FromSeconds(10) });
    }

    [Fact]
    public async Task Config_ThroughCpsClient_IsTheServicesDefaultDocument_WithAnETagThatRevalidates()
    {
        var config = await _client.GetConfigurationAsync();

        Assert.Equal(IndexParameters.DefaultMemoryKiB, config.Index.MemoryKiB);
        Assert.Equal(IndexParameters.DefaultIterations, config.Index.Iterations);
        Assert.Equal(IndexParameters.DefaultBucketBits, config.Index.BucketBits);
        Assert.Equal(IndexParameters.DefaultEpochSeconds, config.Index.EpochSeconds);
        Assert.Equal(RetentionPolicy.Default, config.Retention);
        var sizeClass = Assert.Single(config.Classes);
        Assert.Equal((2048, 16), (sizeClass.Size, sizeClass.Slots));
        Assert.False(config.StoreAuthenticationRequired);

        using var first = await _http.GetAsync(new Uri(_cps.BaseUrl, "v1/config"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        var etag = first.Headers.ETag ?? throw new Xunit.Sdk.XunitException("no ETag");
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, new Uri(_cps.BaseUrl, "v1/config"));
        revalidate.Headers.IfNoneMatch.Add(etag);
        using var second = await _http.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(etag, second.Headers.ETag);
    }

    [Fact]
    public async Task StoreThenRetrieve_TrialOpeningTheBucket_FindsTheCallsBlobForEveryHolder_AndNotForAnotherCall()
    {
        var config = await _client.GetConfigurationAsync();
        using var calls = new SealedCalls(config, holders: 2, seed: 1);
        var epoch = calls.CurrentEpoch;
        var call = calls.Next(epoch);
        var otherCall = calls.Next(epoch).Index; // another caller's call to the same number: another index

        await _client.StoreAsync(call.Index, [call.Blob]);
        var blobs = await _client.RetrieveAsync(call.Index.Epoch, call.Index.BucketText);

        Assert.Equal(16, blobs.Count);
        Assert.All(blobs, b => Assert.Equal(2048, b.Length));
        Assert.Single(blobs, b => b.Span.SequenceEqual(call.Blob));
        foreach (var holder in new[] { 0, 1 })
        {
            var opened = Assert.Single(calls.Open(call.Index, holder, blobs));
            Assert.Null(opened.FormatError);
            Assert.Equal([call.Passport], opened.Passports);
            Assert.Empty(calls.Open(otherCall, holder, blobs));
        }
    }

    [Fact]
    [Trait("Claim", "TM-06")]
    public async Task Retrieve_BucketWithAndWithoutRealBlob_AnswerIdenticallyOverRealHttp()
    {
        var config = await _client.GetConfigurationAsync();
        using var calls = new SealedCalls(config, holders: 1, seed: 2);
        var call = calls.Next(calls.CurrentEpoch);
        await _client.StoreAsync(call.Index, [call.Blob]);
        var empty = BlobIndex.FormatBucket((call.Index.Bucket + 1) % (1u << config.Index.BucketBits), config.Index.BucketBits);

        using var hit = await _http.GetAsync(new Uri(_cps.BaseUrl, $"v1/epochs/{call.Index.Epoch}/buckets/{call.Index.BucketText}"));
        using var miss = await _http.GetAsync(new Uri(_cps.BaseUrl, $"v1/epochs/{call.Index.Epoch}/buckets/{empty}"));
        var hitBody = await hit.Content.ReadAsByteArrayAsync();
        var missBody = await miss.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal(Headers(hit), Headers(miss));
        Assert.Equal(16 * 2048, hitBody.Length);
        Assert.Equal(hitBody.Length, missBody.Length);
        Assert.Contains(hitBody.Chunk(2048), b => b.SequenceEqual(call.Blob));
        Assert.DoesNotContain(missBody.Chunk(2048), b => b.SequenceEqual(call.Blob));
        Assert.Contains("Cache-Control: no-store", Headers(hit));
        Assert.DoesNotContain(Headers(hit), h => h.StartsWith("Server:", StringComparison.Ordinal) || h.StartsWith("ETag:", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string?, int, HttpStatusCode, string> BadRequests() => new()
    {
        // method, path and query ({e} = the current epoch), content type, body length → status, problem name
        { "POST", "v1/epochs/0{e}/buckets/0a1b?size=2048", "application/octet-stream", 2048, HttpStatusCode.BadRequest, "bad-epoch" },
        { "GET", "v1/epochs/{e}/buckets/0A1B", null, 0, HttpStatusCode.BadRequest, "bad-bucket" },
        { "POST", "v1/epochs/{e+5}/buckets/0a1b?size=2048", "application/octet-stream", 2048, HttpStatusCode.UnprocessableEntity, "epoch-out-of-range" },
        { "POST", "v1/epochs/{e}/buckets/0a1b?size=2048", "text/plain", 2048, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type" },
        { "POST", "v1/epochs/{e}/buckets/0a1b?size=2048", "application/octet-stream", 2047, HttpStatusCode.UnprocessableEntity, "bad-blob-size" },
        { "POST", "v1/epochs/{e}/buckets/0a1b?size=2048", "application/octet-stream", 9 * 2048, HttpStatusCode.RequestEntityTooLarge, "body-too-large" },
        { "GET", "v1/buckets", null, 0, HttpStatusCode.NotFound, "not-found" },
        { "PUT", "v1/epochs/{e}/buckets/0a1b", "application/octet-stream", 2048, HttpStatusCode.MethodNotAllowed, "method-not-allowed" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequest_OverRealHttp_AnswersItsProblemJson(string method, string path, string? contentType, int bodyLength, HttpStatusCode status, string problem)
    {
        var epoch = (await _client.GetConfigurationAsync()).Index.EpochAt(DateTimeOffset.UtcNow);
        var url = path.Replace("{e+5}", (epoch + 5).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{e}", epoch.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_cps.BaseUrl, url));
        if (contentType is not null)
        {
            request.Content = new ByteArrayContent(RandomNumberGenerator.GetBytes(bodyLength));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await _http.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        var json = await response.ProblemAsync();
        Assert.Equal(problem, json.ProblemName());
    }

    [Fact]
    [Trait("Claim", "TM-36")]
    public async Task OversizedStore_Answers413WithConnectionClose_AndTheClientsNextRequestSucceeds()
    {
        var epoch = (await _client.GetConfigurationAsync()).Index.EpochAt(DateTimeOffset.UtcNow);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        using var content = new ByteArrayContent(RandomNumberGenerator.GetBytes(9 * 2048));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        // The service answers from Content-Length without reading the body, and Kestrel will not drain more than the
        // limit: the answer must say the connection closes, or the next request on it is lost.
        using var refused = await http.PostAsync(new Uri(_cps.BaseUrl, $"v1/epochs/{epoch}/buckets/0a1b?size=2048"), content);
        using var next = await http.PostAsync(new Uri(_cps.BaseUrl, $"v1/epochs/{epoch}/buckets/0a1c?size=2048"), Octets(2048));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.True(refused.Headers.ConnectionClose, "the 413 does not say Connection: close");
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
    }

    [Fact]
    [Trait("Claim", "TM-21")]
    public async Task PublicPort_ServesHealthOnly_MetricsAndOpenApiAreOnTheManagementPort()
    {
        using var live = await _http.GetAsync(new Uri(_cps.BaseUrl, "health/live"));
        using var ready = await _http.GetAsync(new Uri(_cps.BaseUrl, "health/ready"));
        using var publicMetrics = await _http.GetAsync(new Uri(_cps.BaseUrl, "metrics"));
        using var publicOpenApi = await _http.GetAsync(new Uri(_cps.BaseUrl, "openapi/v1.json"));
        using var metrics = await _http.GetAsync(new Uri(_cps.ManagementUrl, "metrics"));
        using var openApi = await _http.GetAsync(new Uri(_cps.ManagementUrl, "openapi/v1.json"));
        using var managementProtocol = await _http.GetAsync(new Uri(_cps.ManagementUrl, "v1/config"));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("live", (string?)JsonNode.Parse(await live.Content.ReadAsStringAsync())!["status"]);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (string?)JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["status"]);
        foreach (var hidden in new[] { publicMetrics, publicOpenApi })
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
            Assert.Equal("application/problem+json", hidden.Content.Headers.ContentType?.MediaType);
            Assert.Equal("not-found", (await hidden.ProblemAsync()).ProblemName());
        }

        Assert.NotEqual(_cps.BaseUrl.Port, _cps.ManagementUrl.Port);
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(_cps.ManagementUrl.Host)), "the management listener is not on loopback");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        var text = await metrics.Content.ReadAsStringAsync();
        foreach (var counter in new[] { "cps_store_requests_total", "cps_blobs_stored_total", "cps_retrievals_total", "cps_cover_truncations_total", "cps_store_conflicts_total" })
        {
            Assert.Matches($"(?m)^{counter} [0-9]+$", text);
        }

        // Nothing that splits a retrieval into real and decoy blobs, even here.
        Assert.DoesNotContain("served", text, StringComparison.Ordinal);
        Assert.DoesNotContain("decoy", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        var document = JsonNode.Parse(await openApi.Content.ReadAsStringAsync())!;
        Assert.NotNull(document["paths"]!["/v1/epochs/{epoch}/buckets/{bucket}"]);
        Assert.Null(document["paths"]!["/metrics"]);
        Assert.Equal(HttpStatusCode.NotFound, managementProtocol.StatusCode); // and the protocol is not on the management port
    }

    public void Dispose() => _http.Dispose();

    private static ByteArrayContent Octets(int length)
    {
        var content = new ByteArrayContent(RandomNumberGenerator.GetBytes(length));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    // Every response header as "Name: value" except Date, which is the only one allowed to differ.
    private static List<string> Headers(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers)
            .Where(h => !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.Ordinal)];
}
