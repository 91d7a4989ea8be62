using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Api;

/// <summary>Snapshot and changes (spec/protocol.md §10): versioned gzip snapshot with ETag/304, ordered changes, 410 past the log.</summary>
public sealed class SyncTests : IDisposable
{
    private readonly KeyRecordPki _pki = new();
    private readonly KeyRecordPki.Holder _carrier;

    public SyncTests()
    {
        _carrier = _pki.Issue("carrier", "range:12025550000+10000");
    }

    [Fact]
    public async Task Snapshot_OfAnEmptyDirectory_IsVersion0()
    {
        using var factory = new DirectoryFactory(_pki);
        using var client = factory.CreateClient();

        var (json, version) = await client.SnapshotAsync();

        Assert.Equal(0, version);
        Assert.Equal("{\"entries\":[],\"version\":0}", System.Text.Encoding.UTF8.GetString(json));
    }

    [Fact]
    public async Task Snapshot_HoldsEveryCurrentEntry_RevocationsAndExpiredIncluded_InHolderRidOrder()
    {
        using var factory = new DirectoryFactory(_pki);
        using var client = factory.CreateClient();
        var alice1 = _carrier.Record("alice", 1, ["12025550123"]);
        var alice2 = _carrier.Record("alice", 2, ["12025550123"], days: 1);
        var bob = _carrier.Revocation("bob", 1);
        foreach (var token in new[] { alice1.Token, alice2.Token, bob.Token })
        {
            using var r = await client.PublishAsync(token);
        }

        _pki.Time.Advance(TimeSpan.FromDays(2));
        using var response = await client.GetAsync(new Uri("/v1/snapshot", UriKind.Relative));
        var (json, version) = await client.SnapshotAsync();

        Assert.Equal("gzip", string.Join(',', response.Content.Headers.ContentEncoding));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("\"3\"", response.Headers.ETag?.ToString());
        Assert.Equal(3, version);
        Assert.Equal($"{{\"entries\":[\"{alice2.Token}\",\"{bob.Token}\"],\"version\":3}}", System.Text.Encoding.UTF8.GetString(json));
    }

    [Fact]
    public async Task Snapshot_IfNoneMatchTheVersion_Is304_UntilAPublicationChangesIt()
    {
        using var factory = new DirectoryFactory(_pki);
        using var client = factory.CreateClient();
        using (var r = await client.PublishAsync(_carrier.Record("alice", 1, ["12025550123"]).Token))
        {
        }

        using var unchanged = await GetSnapshotAsync(client, "\"1\"");
        using (var r = await client.PublishAsync(_carrier.Record("alice", 2, ["12025550123"]).Token))
        {
        }

        using var changed = await GetSnapshotAsync(client, "\"1\"");

        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal("\"1\"", unchanged.Headers.ETag?.ToString());
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("\"2\"", changed.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Snapshot_ForAClientRefusingGzip_IsNotAcceptable()
    {
        using var factory = new DirectoryFactory(_pki);
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/snapshot", UriKind.Relative));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Fact]
    public async Task Changes_AreEveryAcceptedEntryInOrder_PagedUpToTheLatest()
    {
        using var factory = new DirectoryFactory(_pki, new Dictionary<string, string?> { ["Directory:ChangesPerPage"] = "2" });
        using var client = factory.CreateClient();
        var tokens = new[]
        {
            _carrier.Record("a", 1, ["12025550123"]).Token,
            _carrier.Record("b", 1, ["12025550124"]).Token,
            _carrier.Record("a", 2, ["12025550123"]).Token,
            _carrier.Revocation("b", 2).Token,
            _carrier.Record("c", 1, ["12025550125"]).Token,
        };
        foreach (var token in tokens)
        {
            using var r = await client.PublishAsync(token);
        }

        var first = await ChangesAsync(client, 0);
        var second = await ChangesAsync(client, 2);
        var last = await ChangesAsync(client, 4);
        var none = await ChangesAsync(client, 5);

        Assert.Equal([(1L, tokens[0]), (2L, tokens[1])], Entries(first));
        Assert.Equal((2L, 5L, 0L), (first.GetProperty("version").GetInt64(), first.GetProperty("latest").GetInt64(), first.GetProperty("since").GetInt64()));
        Assert.Equal([(3L, tokens[2]), (4L, tokens[3])], Entries(second));
        Assert.Equal([(5L, tokens[4])], Entries(last));
        Assert.Empty(Entries(none));
        Assert.Equal(5, none.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Changes_SinceBeforeTheRetainedLog_OrAheadOfTheDirectory_IsGone()
    {
        using var factory = new DirectoryFactory(_pki, new Dictionary<string, string?> { ["Directory:ChangeLogRetention"] = "3" });
        using var client = factory.CreateClient();
        for (var seq = 1; seq <= 5; seq++)
        {
            using var r = await client.PublishAsync(_carrier.Record("a", seq, ["12025550123"]).Token);
        }

        using var tooOld = await client.GetAsync(new Uri("/v1/changes?since=1", UriKind.Relative));
        using var ahead = await client.GetAsync(new Uri("/v1/changes?since=6", UriKind.Relative));
        var oldest = await ChangesAsync(client, 2);
        var tooOldProblem = await tooOld.JsonAsync();

        Assert.Equal(HttpStatusCode.Gone, tooOld.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/changes-gone", tooOldProblem.GetProperty("type").GetString());
        Assert.Equal("the change log starts at version 3, after 1; fetch the snapshot", tooOldProblem.GetProperty("detail").GetString());
        Assert.Equal(3, tooOldProblem.GetProperty("oldestRetained").GetInt64());
        Assert.Equal(HttpStatusCode.Gone, ahead.StatusCode);
        Assert.Equal("version 6 is ahead of the directory's version 5; fetch the snapshot", (await ahead.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal([3L, 4L, 5L], Entries(oldest).Select(e => e.Version));
    }

    [Theory]
    [InlineData("")]
    [InlineData("?since=")]
    [InlineData("?since=-1")]
    [InlineData("?since=01")]
    [InlineData("?since=1&since=2")]
    [InlineData("?since=99999999999999999999")]
    public async Task Changes_WithoutOneDecimalSince_IsBadVersion(string query)
    {
        using var factory = new DirectoryFactory(_pki);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/v1/changes" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/bad-version", (await response.JsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Config_PublishesBucketsSizesLimitsAndVersions()
    {
        using var factory = new DirectoryFactory(_pki, new Dictionary<string, string?> { ["Directory:BucketBits"] = "10", ["Directory:BucketBytes"] = "4096", ["Directory:MaxValidityDays"] = "30" });
        using var client = factory.CreateClient();
        using (var r = await client.PublishAsync(_carrier.Record("a", 1, ["12025550123"]).Token))
        {
        }

        var config = await client.GetStringAsync(new Uri("/v1/config", UriKind.Relative));

        Assert.Equal(
            "{\"bucketBits\":10,\"bucketBytes\":4096,\"clockSkewSeconds\":60,\"directoryVersion\":1,\"maxRecordBytes\":16384,\"maxValidityDays\":30,\"oldestChange\":1,\"suites\":[\"x25519-sha256-chacha20poly1305\"],\"version\":1}",
            config);
    }

    public void Dispose() => _pki.Dispose();

    private static async Task<HttpResponseMessage> GetSnapshotAsync(HttpClient client, string ifNoneMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/snapshot", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> ChangesAsync(HttpClient client, long since)
    {
        using var response = await client.GetAsync(new Uri($"/v1/changes?since={since}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static List<(long Version, string Token)> Entries(JsonElement page) =>
        [.. page.GetProperty("changes").EnumerateArray().Select(c => (c.GetProperty("version").GetInt64(), c.GetProperty("entry").GetString()!))];
}
