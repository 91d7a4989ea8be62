using System.Net;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Api;

/// <summary>Accepted publications (spec/protocol.md §10 "Publish"): store, idempotence, supersede, revoke, re-publish.</summary>
public sealed class PublishTests : IDisposable
{
    private readonly KeyRecordPki _pki = new();
    private readonly DirectoryFactory _factory;
    private readonly HttpClient _client;
    private readonly KeyRecordPki.Holder _carrier;

    public PublishTests()
    {
        _factory = new DirectoryFactory(_pki);
        _client = _factory.CreateClient();
        _carrier = _pki.Issue("carrier", "range:12025550000+10000");
    }

    [Fact]
    public async Task Publish_ValidRecord_Is201WithTheReceipt_AndServed()
    {
        var record = _carrier.Record("alice", 1, ["12025550123"]);

        using var response = await _client.PublishAsync(record.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.JsonAsync();
        Assert.Equal(_carrier.Id, receipt.GetProperty("holder").GetString());
        Assert.Equal("record", receipt.GetProperty("kind").GetString());
        Assert.Equal("alice", receipt.GetProperty("rid").GetString());
        Assert.Equal(1, receipt.GetProperty("seq").GetInt64());
        Assert.Equal(1, receipt.GetProperty("version").GetInt64());
        Assert.Equal([record.Token], await _client.RecordsAsync("12025550123"));
    }

    [Fact]
    public async Task Publish_TheSameTokenTwice_Is200AndChangesNothing()
    {
        var record = _carrier.Record("alice", 1, ["12025550123"]);
        using var first = await _client.PublishAsync(record.Token);
        var before = _factory.StoreContents();

        using var again = await _client.PublishAsync(record.Token);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, (await again.JsonAsync()).GetProperty("version").GetInt64());
        Assert.Equal(before, _factory.StoreContents());
    }

    [Fact]
    public async Task Publish_HigherSeq_SupersedesAndMovesTheNumberIndex()
    {
        using var _ = await _client.PublishAsync(_carrier.Record("alice", 1, ["12025550123"]).Token);
        var moved = _carrier.Record("alice", 2, ["12025550124"]);

        using var response = await _client.PublishAsync(moved.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Empty(await _client.RecordsAsync("12025550123"));
        Assert.Equal([moved.Token], await _client.RecordsAsync("12025550124"));
    }

    [Fact]
    [Trait("Claim", "TM-25")]
    public async Task Revocation_RemovesTheRecord_RefusesOlderSeqs_AndAHigherSeqRepublishes()
    {
        var v1 = _carrier.Record("alice", 1, ["12025550123"]);
        using var published = await _client.PublishAsync(v1.Token);

        using var revoked = await _client.PublishAsync(_carrier.Revocation("alice", 2).Token);
        using var replay = await _client.PublishAsync(v1.Token);
        using var sameSeq = await _client.PublishAsync(_carrier.Record("alice", 2, ["12025550123"]).Token);
        var afterRevocation = await _client.RecordsAsync("12025550123");
        var v3 = _carrier.Record("alice", 3, ["12025550123"]);
        using var republished = await _client.PublishAsync(v3.Token);

        Assert.Equal(HttpStatusCode.Created, revoked.StatusCode);
        Assert.Equal("revocation", (await revoked.JsonAsync()).GetProperty("kind").GetString());
        Assert.Empty(afterRevocation);
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/stale-seq", (await replay.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Conflict, sameSeq.StatusCode);
        Assert.Equal("seq 2 of rid alice is not above the stored revocation with seq 2; publish a higher seq", (await sameSeq.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Created, republished.StatusCode);
        Assert.Equal([v3.Token], await _client.RecordsAsync("12025550123"));
    }

    [Fact]
    public async Task SeveralHolders_ForOneNumber_AreAllServed()
    {
        var reseller = _pki.Issue("reseller", "range:12025550100+100");
        var user = _pki.Issue("user", "one:12025550123");
        var records = new[]
        {
            _carrier.Record("carrier-key", 1, ["12025550000+10000"], role: KeyRecordRole.Carrier),
            reseller.Record("reseller-key", 1, ["12025550100+100"], role: KeyRecordRole.Reseller),
            user.Record("phone", 1, ["12025550123"], role: KeyRecordRole.User),
        };
        foreach (var record in records)
        {
            using var response = await _client.PublishAsync(record.Token);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var served = await _client.RecordsAsync("12025550123");

        Assert.Equal(records.Select(r => r.Token).Order(StringComparer.Ordinal), served.Order(StringComparer.Ordinal));
        Assert.Equal([records[0].Token], await _client.RecordsAsync("12025559999"));
    }

    [Fact]
    public async Task RevocationOfANeverPublishedRid_IsStored_AndBlocksOlderSeqs()
    {
        using var revoked = await _client.PublishAsync(_carrier.Revocation("future", 10).Token);
        using var older = await _client.PublishAsync(_carrier.Record("future", 9, ["12025550123"]).Token);

        Assert.Equal(HttpStatusCode.Created, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, older.StatusCode);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _pki.Dispose();
    }
}
