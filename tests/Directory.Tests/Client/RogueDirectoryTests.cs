using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Client;

/// <summary>
/// A rogue directory: a test server that answers every lookup with records of its choosing (signed by an untrusted
/// chain, by a certificate for other numbers, rolled back, equivocating). The client hands out no key from them and
/// reports each with its verdict.
/// </summary>
public sealed class RogueDirectoryTests : IAsyncLifetime
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseCanonical("12025550123");
    private readonly KeyRecordPki _pki = new();
    private readonly List<string> _served = [];
    private WebApplication? _rogue;
    private HttpClient? _http;
    private KeyRecordPki.Holder _carrier = null!;

    public async Task InitializeAsync()
    {
        _carrier = _pki.Issue("carrier", "range:12025550000+10000");
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        _rogue = builder.Build();
        _rogue.MapGet("/v1/config", () => Results.Text("{\"bucketBits\":4,\"bucketBytes\":4096,\"directoryVersion\":9,\"version\":1}", "application/json"));
        _rogue.MapGet("/v1/numbers/{tn}/records", () => Results.Text(Json("records"), "application/json"));
        _rogue.MapGet("/v1/buckets/{bucket}", (string bucket) => Results.Text($"{{\"bucket\":\"{bucket}\",{Json("records")[1..^1]},\"truncated\":false,\"version\":9}}", "application/json"));
        await _rogue.StartAsync();
        _http = _rogue.GetTestClient();
    }

    [Theory]
    [Trait("Claim", "TM-23")]
    [InlineData(DirectoryLookupMode.Bucketed)]
    [InlineData(DirectoryLookupMode.Exact)]
    public async Task RecordsSignedByAnUntrustedChain_AreRefused(DirectoryLookupMode mode)
    {
        Serve(_pki.IssueUntrusted("rogue", "range:12025550000+10000").Record("alice", 1, ["12025550123"]));

        var result = await Client().LookupAsync(Alice, mode);

        Assert.Empty(result.Keys);
        var verdict = Assert.Single(result.Rejected);
        Assert.Equal(KeyRecordFailure.UntrustedChain, verdict.Failure);
        Assert.Equal(Certificates.StirChainFailure.UntrustedRoot, verdict.ChainFailure);
    }

    [Fact]
    [Trait("Claim", "TM-23")]
    public async Task RecordsSignedByACertificateForOtherNumbers_AreRefused()
    {
        var elsewhere = _pki.Issue("elsewhere", "range:13135550000+10000");
        Serve(elsewhere.Record("alice", 1, ["12025550123"]));

        var result = await Client().LookupAsync(Alice);

        Assert.Empty(result.Keys);
        Assert.Equal(KeyRecordFailure.NotCovered, Assert.Single(result.Rejected).Failure);
    }

    [Fact]
    [Trait("Claim", "TM-23")]
    public async Task ForgedSignatureAndSmallOrderKey_AreRefused()
    {
        var other = _pki.Issue("other", "range:12025550000+10000");
        var claims = Encoding.UTF8.GetString(Decode(_carrier.Record("alice", 1, ["12025550123"]).Token.Split('.')[1]));
        var t0 = KeyRecordPki.T0.ToUnixTimeSeconds();
        Serve(other.SignRaw(claims, _carrier.HeaderJson));
        Serve(_carrier.SignRaw($"{{\"exp\":{t0 + 86400},\"hpke\":{{\"pk\":\"{new string('A', 43)}\",\"suite\":\"x25519-sha256-chacha20poly1305\"}},\"iat\":{t0},\"nbf\":{t0},\"rid\":\"weak\",\"seq\":1,\"tn\":[\"12025550123\"]}}"));
        Serve("not.a.record");

        var result = await Client().LookupAsync(Alice);

        Assert.Empty(result.Keys);
        Assert.Equal(
            [KeyRecordFailure.Malformed, KeyRecordFailure.BadSignature, KeyRecordFailure.BadPublicKey],
            result.Rejected.Select(r => r.Failure).Order());
    }

    [Fact]
    [Trait("Claim", "TM-24")]
    public async Task ARolledBackSeq_IsRefused_AfterTheClientSawAHigherOne()
    {
        var current = _carrier.Record("alice", 2, ["12025550123"]);
        var old = _carrier.Record("alice", 1, ["12025550123"]);
        var client = Client();
        Serve(current);
        var first = await client.LookupAsync(Alice);
        _served.Clear();
        Serve(old);

        var second = await client.LookupAsync(Alice);

        Assert.Equal([current.Token], first.Keys.Select(k => k.Record.Token));
        Assert.Empty(second.Keys);
        var verdict = Assert.Single(second.Rejected);
        Assert.Equal(KeyRecordFailure.Rollback, verdict.Failure);
        Assert.Equal((2L, current.Hash), (verdict.SeenSeq!.Value, verdict.SeenHash));
    }

    [Fact]
    [Trait("Claim", "TM-24")]
    public async Task AnEquivocatingRecord_IsReportedWithBothHashes()
    {
        var shownFirst = _carrier.Record("alice", 3, ["12025550123"]);
        var shownLater = _carrier.Record("alice", 3, ["12025550123"]);
        var client = Client();
        Serve(shownFirst);
        _ = await client.LookupAsync(Alice, DirectoryLookupMode.Exact);
        _served.Clear();
        Serve(shownLater);

        var result = await client.LookupAsync(Alice, DirectoryLookupMode.Exact);

        Assert.Empty(result.Keys);
        var verdict = Assert.Single(result.Rejected);
        Assert.Equal(KeyRecordFailure.Equivocation, verdict.Failure);
        Assert.Equal(shownFirst.Hash, verdict.SeenHash);
        Assert.Equal(shownLater.Hash, verdict.Record!.Hash);
    }

    [Fact]
    [Trait("Claim", "TM-25")]
    public async Task ARecordOlderThanARevocationTheClientSynced_IsRevoked_EvenFromAnotherDirectory()
    {
        using var rig = new ClientRig();
        var old = await rig.PublishAsync(rig.Carrier.Record("alice", 1, ["12025550123"]));
        await rig.PublishAsync(rig.Carrier.Revocation("alice", 2));
        var ledger = KeyRecordLedger.InMemory();
        var (honest, _) = rig.NewClient(new DirectoryClientOptions { Ledger = ledger });
        _ = await honest.SyncAsync();
        Serve(old);
        using var rogue = new DirectoryClient(_http!, new Uri("http://localhost/"), rig.Pki.Verifier(), new DirectoryClientOptions { Ledger = ledger });

        var result = await rogue.LookupAsync(Alice);

        Assert.Empty(result.Keys);
        Assert.Equal(KeyRecordFailure.Revoked, Assert.Single(result.Rejected).Failure);
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_rogue is not null)
        {
            await _rogue.DisposeAsync();
        }

        _pki.Dispose();
    }

    private DirectoryClient Client() => new(_http!, new Uri("http://localhost/"), _pki.Verifier());

    private void Serve(KeyRecord record) => _served.Add(record.Token);

    private void Serve(string token) => _served.Add(token);

    private string Json(string member) => $"{{\"{member}\":[{string.Join(',', _served.Select(t => $"\"{t}\""))}]}}";

    private static byte[] Decode(string segment) => StrictBase64.TryDecodeUrl(segment, out var bytes, out _) ? bytes : [];
}
