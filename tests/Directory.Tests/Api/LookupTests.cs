using System.Net;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Api;

/// <summary>
/// Exact and bucketed lookups (spec/protocol.md §10): what covers a number is found through the number index, a
/// bucket answers every current record of its numbers, and every bucket answer has the same size.
/// </summary>
public sealed class LookupTests : IDisposable
{
    private const int BucketBits = 8;
    private readonly KeyRecordPki _pki = new();
    private readonly DirectoryFactory _factory;
    private readonly HttpClient _client;
    private readonly KeyRecordPki.Holder _carrier;

    public LookupTests()
    {
        _factory = new DirectoryFactory(_pki, new Dictionary<string, string?> { ["Directory:BucketBits"] = "8", ["Directory:BucketBytes"] = "32768", ["Directory:RangeBucketLimit"] = "1000" });
        _client = _factory.CreateClient();
        _carrier = _pki.Issue("carrier", "range:12025550000+10000", "one:*67", "range:1202555000+100");
    }

    [Theory]
    [InlineData("12025550100", true)]
    [InlineData("12025550199", true)]
    [InlineData("12025550200", true)]
    [InlineData("12025550299", true)]
    [InlineData("12025550099", false)]
    [InlineData("12025550300", false)]
    [InlineData("1202555010", false)]
    [InlineData("120255501000", false)]
    public async Task Exact_FindsARangeRecord_ForExactlyItsNumbers(string number, bool found)
    {
        var record = await PublishAsync(_carrier.Record("block", 1, ["12025550100+200"]));

        var records = await _client.RecordsAsync(number);

        Assert.Equal(found ? [record.Token] : [], records);
    }

    [Fact]
    public async Task Exact_FindsANonNumericNumber()
    {
        var record = await PublishAsync(_carrier.Record("star", 1, ["*67"]));

        Assert.Equal([record.Token], await _client.RecordsAsync("*67"));
        Assert.Empty(await _client.RecordsAsync("67"));
    }

    [Fact]
    public async Task Exact_ExpiredRecord_IsNotServed()
    {
        await PublishAsync(_carrier.Record("short", 1, ["12025550123"], days: 1));
        _pki.Time.Advance(TimeSpan.FromDays(1));

        Assert.Empty(await _client.RecordsAsync("12025550123"));
    }

    [Theory]
    [InlineData("+12025550123")]
    [InlineData("1202555012a")]
    [InlineData("1234567890123456")]
    public async Task Exact_NonCanonicalNumber_IsBadNumber(string number)
    {
        using var response = await _client.GetAsync(new Uri($"/v1/numbers/{Uri.EscapeDataString(number)}/records", UriKind.Relative));
        var problem = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/bad-number", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Exact_AnswerIsNotCacheable()
    {
        using var response = await _client.GetAsync(new Uri("/v1/numbers/12025550123/records", UriKind.Relative));

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Bucket_HoldsTheRecordsOfItsNumbers()
    {
        var record = await PublishAsync(_carrier.Record("alice", 1, ["12025550123"]));
        var bucket = KeyRecordBucket.Of(TelephoneNumber.ParseCanonical("12025550123"), BucketBits);

        var answer = await BucketAsync(KeyRecordBucket.Format(bucket, BucketBits));
        var other = await BucketAsync(KeyRecordBucket.Format((bucket + 1) % 256, BucketBits));

        Assert.Equal([record.Token], answer.Records);
        Assert.False(answer.Truncated);
        Assert.Empty(other.Records);
    }

    [Fact]
    public async Task Bucket_RangeRecord_IsInTheBucketOfEachOfItsNumbers()
    {
        var record = await PublishAsync(_carrier.Record("block", 1, ["12025550100+200"]));
        var buckets = Enumerable.Range(100, 200).Select(i => KeyRecordBucket.Of(TelephoneNumber.ParseCanonical($"12025550{i}"), BucketBits)).ToHashSet();

        foreach (var bucket in Enumerable.Range(0, 256).Select(b => (uint)b))
        {
            var answer = await BucketAsync(KeyRecordBucket.Format(bucket, BucketBits));
            Assert.Equal(buckets.Contains(bucket) ? [record.Token] : [], answer.Records);
        }
    }

    [Fact]
    public async Task Bucket_RangeLargerThanTheLimit_IsServedInEveryBucket()
    {
        var record = await PublishAsync(_carrier.Record("everything", 1, ["12025550000+10000"]));

        foreach (var bucket in new uint[] { 0, 17, 255 })
        {
            Assert.Equal([record.Token], (await BucketAsync(KeyRecordBucket.Format(bucket, BucketBits))).Records);
        }
    }

    [Fact]
    [Trait("Claim", "TM-26")]
    public async Task Bucket_AnswerHasTheSameSizeAndHeaders_WhetherOrNotTheNumberHasRecords()
    {
        await PublishAsync(_carrier.Record("alice", 1, ["12025550123"]));
        await PublishAsync(_carrier.Record("bob", 1, ["12025550124", "12025550125"], role: KeyRecordRole.User));
        var withRecords = KeyRecordBucket.Format(KeyRecordBucket.Of(TelephoneNumber.ParseCanonical("12025550123"), BucketBits), BucketBits);
        var empty = Enumerable.Range(0, 256).Select(b => KeyRecordBucket.Format((uint)b, BucketBits))
            .First(b => b != withRecords && !new[] { "12025550124", "12025550125" }.Any(n => KeyRecordBucket.Format(KeyRecordBucket.Of(TelephoneNumber.ParseCanonical(n), BucketBits), BucketBits) == b));

        using var full = await _client.GetAsync(new Uri($"/v1/buckets/{withRecords}", UriKind.Relative));
        using var none = await _client.GetAsync(new Uri($"/v1/buckets/{empty}", UriKind.Relative));
        var fullBody = await full.Content.ReadAsByteArrayAsync();
        var noneBody = await none.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Equal(32768, fullBody.Length);
        Assert.Equal(32768, noneBody.Length);
        Assert.Equal(Headers(full), Headers(none));
        Assert.NotEmpty((await BucketAsync(withRecords)).Records);
        Assert.Empty((await BucketAsync(empty)).Records);
    }

    [Fact]
    public async Task Bucket_RecordsBeyondTheSize_AreCutWholeAndMarkedTruncated_AtTheSameSize()
    {
        using var small = new DirectoryFactory(_pki, new Dictionary<string, string?> { ["Directory:BucketBits"] = "1", ["Directory:BucketBytes"] = "8192" });
        using var client = small.CreateClient();
        var tokens = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var token = _carrier.Record($"r{i:D2}", 1, [$"120255501{i:D2}"]).Token;
            using var response = await client.PublishAsync(token);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            tokens.Add(token);
        }

        foreach (var bucket in new[] { "0", "1" })
        {
            using var response = await client.GetAsync(new Uri($"/v1/buckets/{bucket}", UriKind.Relative));
            var body = await response.Content.ReadAsByteArrayAsync();
            var answer = Parse(body);

            Assert.Equal(8192, body.Length);
            Assert.All(answer.Records, r => Assert.Contains(r, tokens));
            Assert.True(answer.Truncated || answer.Records.Count == tokens.Count(t => KeyRecordBucket.Format(KeyRecordBucket.Of(KeyRecord.Parse(t).Numbers[0], 1), 1) == bucket));
        }

        var total = 0;
        var truncated = false;
        foreach (var bucket in new[] { "0", "1" })
        {
            var answer = await BucketAsync(bucket, client);
            total += answer.Records.Count;
            truncated |= answer.Truncated;
        }

        Assert.True(truncated, "12 records of ~2.6 KB cannot fit two answers of 8 KiB");
        Assert.True(total < tokens.Count);
    }

    [Theory]
    [InlineData("0A")]
    [InlineData("0a0")]
    [InlineData("a")]
    [InlineData("zz")]
    [InlineData("-1")]
    public async Task Bucket_NotExactlyTheHexOfABucket_IsBadBucket(string bucket)
    {
        using var response = await _client.GetAsync(new Uri($"/v1/buckets/{bucket}", UriKind.Relative));
        var problem = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/bad-bucket", problem.GetProperty("type").GetString());
        Assert.EndsWith("expected exactly 2 lowercase hex digits below 2^8 (bucketBits 8)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _pki.Dispose();
    }

    private async Task<KeyRecord> PublishAsync(KeyRecord record)
    {
        using var response = await _client.PublishAsync(record.Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return record;
    }

    private async Task<(List<string> Records, bool Truncated)> BucketAsync(string bucket, HttpClient? client = null)
    {
        using var response = await (client ?? _client).GetAsync(new Uri($"/v1/buckets/{bucket}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return Parse(await response.Content.ReadAsByteArrayAsync());
    }

    private static (List<string> Records, bool Truncated) Parse(byte[] body)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        return ([.. doc.RootElement.GetProperty("records").EnumerateArray().Select(e => e.GetString()!)], doc.RootElement.GetProperty("truncated").GetBoolean());
    }

    private static string Headers(HttpResponseMessage response) =>
        string.Join('\n', response.Headers.Concat(response.Content.Headers).OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}: {string.Join(',', h.Value)}"));
}
