using System.Net;
using System.Net.Http.Headers;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Api;

/// <summary>
/// The directory behind HTTP caches and CDNs (issue 8, docs/deployment.md): snapshots live under versioned URLs that
/// never change (immutable, a year's max-age), the current snapshot points to its versioned URL and revalidates
/// with its ETag, and bucket answers carry a strong ETag and a short public max-age; every validator gives 304.
/// </summary>
public sealed class HttpCacheTests : IDisposable
{
    private const int BucketBits = 8;
    private readonly KeyRecordPki _pki = new();
    private readonly KeyRecordPki.Holder _carrier;
    private readonly DirectoryFactory _factory;
    private readonly HttpClient _client;

    public HttpCacheTests()
    {
        _carrier = _pki.Issue("carrier", "range:12025550000+10000");
        _factory = new DirectoryFactory(_pki, new Dictionary<string, string?> { ["Directory:BucketBits"] = "8", ["Directory:BucketBytes"] = "8192" });
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _pki.Dispose();
    }

    [Fact]
    [Trait("Claim", "TM-55")]
    public async Task Snapshot_PointsToItsVersionedUrl_WhichIsImmutableAndAnswers304()
    {
        await PublishAsync("alice", "12025550123");

        using var current = await GetAsync("/v1/snapshot");
        using var versioned = await GetAsync("/v1/snapshots/1");
        using var revalidated = await GetAsync("/v1/snapshots/1", "\"1\"");

        Assert.Equal("/v1/snapshots/1", current.Content.Headers.ContentLocation?.ToString());
        Assert.Equal("public, no-cache", current.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.OK, versioned.StatusCode);
        var cache = versioned.Headers.CacheControl!;
        Assert.True(cache.Public);
        Assert.Equal(TimeSpan.FromDays(365), cache.MaxAge);
        Assert.Contains(cache.Extensions, e => e.Name == "immutable");
        Assert.Equal("\"1\"", versioned.Headers.ETag?.ToString());
        Assert.Equal(await current.Content.ReadAsByteArrayAsync(), await versioned.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Equal("\"1\"", revalidated.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task VersionedSnapshot_OfAVersionNotHeld_IsNotFound_AndAMalformedOne_BadVersion()
    {
        await PublishAsync("alice", "12025550123");
        await PublishAsync("bob", "12025550124");

        using var old = await GetAsync("/v1/snapshots/1");
        using var future = await GetAsync("/v1/snapshots/3");
        using var current = await GetAsync("/v1/snapshots/2");
        using var malformed = await GetAsync("/v1/snapshots/02");

        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/not-found", (await old.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NotFound, future.StatusCode);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/bad-version", (await malformed.JsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    [Trait("Claim", "TM-55")]
    public async Task Bucket_HasAStrongETagAndPublicMaxAge_304UntilAPublicationChangesIt()
    {
        var bucket = KeyRecordBucket.Format(KeyRecordBucket.Of(TelephoneNumber.ParseCanonical("12025550123"), BucketBits), BucketBits);

        using var first = await GetAsync($"/v1/buckets/{bucket}");
        var etag = first.Headers.ETag!;
        using var again = await GetAsync($"/v1/buckets/{bucket}", etag.ToString());
        await PublishAsync("alice", "12025550123");
        using var changed = await GetAsync($"/v1/buckets/{bucket}", etag.ToString());

        Assert.False(etag.IsWeak);
        Assert.Equal("public, max-age=60", first.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Equal(etag, again.Headers.ETag);
        Assert.Equal("public, max-age=60", again.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task Bucket_MaxAge_IsConfigurable()
    {
        using var factory = new DirectoryFactory(_pki, new Dictionary<string, string?> { ["Directory:BucketBits"] = "8", ["Directory:BucketMaxAgeSeconds"] = "0" });
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri($"/v1/buckets/{KeyRecordBucket.Format(0, BucketBits)}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=0", response.Headers.CacheControl?.ToString());
    }

    private async Task PublishAsync(string holder, string number)
    {
        using var response = await _client.PublishAsync(_carrier.Record(holder, 1, [number]).Token);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (ifNoneMatch is not null)
        {
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(ifNoneMatch));
        }
        return await _client.SendAsync(request);
    }
}
