using Stir.Encrypted.Calls;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.DirectoryService.Tests.Client;

/// <summary>
/// The caller's key holders from the real directory: every verified holder of the number, nothing revoked or
/// refused, the cache when the directory is down (and the lookup says so), a routing error when there is neither;
/// by default from the local copy only, asking the directory nothing at call time (TM-60).
/// </summary>
public sealed class DirectoryKeyHolderSourceTests : IDisposable
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseCanonical("12025550123");
    private readonly ClientRig _rig = new();

    [Theory]
    [Trait("Claim", "TM-42")]
    [InlineData(DirectoryLookupMode.Bucketed)]
    [InlineData(DirectoryLookupMode.Exact)]
    public async Task SeveralHolders_GiveEveryVerifiedKey_FromTheDirectory(DirectoryLookupMode mode)
    {
        var reseller = _rig.Pki.Issue("reseller", "range:12025550100+100");
        var enterprise = _rig.Pki.Issue("enterprise", "one:12025550123");
        var carrierKey = await _rig.PublishAsync(_rig.Carrier.Record("carrier", 1, ["12025550000+10000"]));
        var resellerKey = await _rig.PublishAsync(reseller.Record("reseller", 1, ["12025550100+100"]));
        var phoneKey = await _rig.PublishAsync(enterprise.Record("phone", 1, ["12025550123"]));
        await _rig.PublishAsync(_rig.Carrier.Record("other", 1, ["12025551234"]));
        var (client, _) = _rig.NewClient();

        var lookup = await new DirectoryKeyHolderSource(client, mode).LookupHolderKeysAsync(Alice, CancellationToken.None);

        Assert.Equal(
            new[] { carrierKey, resellerKey, phoneKey }.Select(r => Convert.ToHexString(r.PublicKey.Span)).Order(StringComparer.Ordinal),
            lookup.Keys.Select(k => Convert.ToHexString(k.Export())).Order(StringComparer.Ordinal));
        Assert.Equal(mode == DirectoryLookupMode.Exact ? "the directory (live exact lookup)" : "the directory (live bucketed lookup)", lookup.Source);
    }

    [Fact]
    [Trait("Claim", "TM-42")]
    public async Task RevokedHolder_IsNotEncryptedTo()
    {
        var kept = await _rig.PublishAsync(_rig.Carrier.Record("carrier", 1, ["12025550123"]));
        var phone = _rig.Pki.Issue("phone", "one:12025550123");
        await _rig.PublishAsync(phone.Record("phone", 1, ["12025550123"]));
        await _rig.PublishAsync(phone.Revocation("phone", 2));
        var (client, _) = _rig.NewClient();
        _ = await client.SyncAsync();

        var keys = await new DirectoryKeyHolderSource(client).GetHolderKeysAsync(Alice, CancellationToken.None);

        Assert.Equal([Convert.ToHexString(kept.PublicKey.Span)], keys.Select(k => Convert.ToHexString(k.Export())));
    }

    [Fact]
    [Trait("Claim", "TM-42")]
    public async Task ExpiredRecord_IsNotEncryptedTo_AndTheRefusalIsReported()
    {
        await _rig.PublishAsync(_rig.Carrier.Record("short", 1, ["12025550123"], days: 1));
        var (client, _) = _rig.NewClient();
        _ = await client.SyncAsync();
        _rig.Pki.Time.Advance(TimeSpan.FromDays(1));

        var lookup = await new DirectoryKeyHolderSource(client, DirectoryLookupMode.Cached).LookupHolderKeysAsync(Alice, CancellationToken.None);

        Assert.Empty(lookup.Keys);
        Assert.Contains("1 record(s) refused (Expired)", lookup.Source, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-42")]
    public async Task RogueRecordInTheDirectorysAnswer_IsRefused()
    {
        // A record signed by a certificate for other numbers, planted in the store behind the directory's checks.
        var elsewhere = _rig.Pki.Issue("elsewhere", "range:13135550000+10000");
        var honest = await _rig.PublishAsync(_rig.Carrier.Record("carrier", 1, ["12025550123"]));
        var (client, _) = _rig.NewClient();
        using var rogue = new RogueAnswers(elsewhere.Record("alice", 1, ["12025550123"]).Token);
        using var http = new HttpClient(rogue) { BaseAddress = ClientRig.BaseUrl };
        using var rogueClient = new DirectoryClient(http, ClientRig.BaseUrl, _rig.Pki.Verifier());

        var lookup = await new DirectoryKeyHolderSource(rogueClient, DirectoryLookupMode.Exact).LookupHolderKeysAsync(Alice, CancellationToken.None);
        var real = await new DirectoryKeyHolderSource(client, DirectoryLookupMode.Exact).GetHolderKeysAsync(Alice, CancellationToken.None);

        Assert.Empty(lookup.Keys);
        Assert.Contains("1 record(s) refused (NotCovered)", lookup.Source, StringComparison.Ordinal);
        Assert.Equal([Convert.ToHexString(honest.PublicKey.Span)], real.Select(k => Convert.ToHexString(k.Export())));
    }

    [Fact]
    public async Task DirectoryDown_WithACachedAnswer_UsesTheCache_AndSaysSo()
    {
        var record = await _rig.PublishAsync(_rig.Carrier.Record("carrier", 1, ["12025550123"]));
        var (client, log) = _rig.NewClient();
        var source = new DirectoryKeyHolderSource(client, DirectoryLookupMode.Bucketed);
        _ = await source.GetHolderKeysAsync(Alice, CancellationToken.None);
        _rig.Pki.Time.Advance(TimeSpan.FromMinutes(5));
        log.Down = true;

        var lookup = await source.LookupHolderKeysAsync(Alice, CancellationToken.None);

        Assert.Equal([Convert.ToHexString(record.PublicKey.Span)], lookup.Keys.Select(k => Convert.ToHexString(k.Export())));
        Assert.StartsWith("the cache, 300 s old (the directory did not answer: ", lookup.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirectoryDown_WithNothingCached_IsARoutingError_NamingTheCause()
    {
        var (client, log) = _rig.NewClient();
        log.Down = true;

        var e = await Assert.ThrowsAsync<CallRoutingException>(() => new DirectoryKeyHolderSource(client, DirectoryLookupMode.Bucketed).GetHolderKeysAsync(Alice, CancellationToken.None));

        Assert.StartsWith("no key records for the called number: the directory http://localhost/ did not answer", e.Message, StringComparison.Ordinal);
        Assert.IsType<DirectoryUnavailableException>(e.InnerException);
    }

    [Fact]
    [Trait("Claim", "TM-60")]
    public async Task Default_FromTheSyncedCopy_AsksTheDirectoryNothing_ForAnyNumber()
    {
        var record = await _rig.PublishAsync(_rig.Carrier.Record("carrier", 1, ["12025550123"]));
        var (client, log) = _rig.NewClient();
        _ = await client.SyncAsync();
        log.Clear();
        var source = new DirectoryKeyHolderSource(client);

        var found = await source.LookupHolderKeysAsync(Alice, CancellationToken.None);
        var none = await source.LookupHolderKeysAsync(TelephoneNumber.ParseCanonical("12025559999"), CancellationToken.None);

        Assert.Equal(DirectoryLookupMode.Cached, source.Mode);
        Assert.Equal([Convert.ToHexString(record.PublicKey.Span)], found.Keys.Select(k => Convert.ToHexString(k.Export())));
        Assert.StartsWith("the cache, 0 s old", found.Source, StringComparison.Ordinal);
        Assert.Empty(none.Keys); // the whole directory is in the copy: no record means no holder
        Assert.Empty(log.Requests);
    }

    [Fact]
    [Trait("Claim", "TM-60")]
    public async Task SyncedMode_AsksOnlyForTheChangesSinceItsVersion_AndLiveMode_ForOneBucket()
    {
        await _rig.PublishAsync(_rig.Carrier.Record("carrier", 1, ["12025550123"]));
        var (client, log) = _rig.NewClient();
        _ = await client.SyncAsync();
        var version = client.SyncedVersion;
        var later = await _rig.PublishAsync(_rig.Carrier.Record("carrier", 2, ["12025550123"]));
        log.Clear();

        var synced = await new DirectoryKeyHolderSource(client, DirectoryLookupMode.Synced).LookupHolderKeysAsync(Alice, CancellationToken.None);
        var syncRequests = log.Paths.ToList();
        log.Clear();
        var live = await new DirectoryKeyHolderSource(client, DirectoryLookupMode.Bucketed).LookupHolderKeysAsync(Alice, CancellationToken.None);

        Assert.Equal([Convert.ToHexString(later.PublicKey.Span)], synced.Keys.Select(k => Convert.ToHexString(k.Export())));
        Assert.Equal($"the cache, synced now to version {client.SyncedVersion}", synced.Source);
        Assert.Equal([$"/v1/changes?since={version}"], syncRequests);
        Assert.Single(live.Keys);
        Assert.Equal(1, log.Paths.Count(p => p.StartsWith("/v1/buckets/", StringComparison.Ordinal)));
        Assert.DoesNotContain(log.Paths, p => p.StartsWith("/v1/numbers/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Default_WithNothingInTheLocalCopy_IsARoutingError_SayingHowToFixIt_AndAsksNothing()
    {
        await _rig.PublishAsync(_rig.Carrier.Record("carrier", 1, ["12025550123"]));
        var (client, log) = _rig.NewClient();

        var e = await Assert.ThrowsAsync<CallRoutingException>(() => new DirectoryKeyHolderSource(client).GetHolderKeysAsync(Alice, CancellationToken.None));

        Assert.StartsWith("no key records for the called number: the cache holds nothing for the number younger than 1.00:00:00; sync the local copy", e.Message, StringComparison.Ordinal);
        Assert.Contains("opt in to a live lookup", e.Message, StringComparison.Ordinal);
        Assert.Empty(log.Requests);
    }

    [Fact]
    public async Task SyncedMode_DirectoryDown_AnswersFromTheCopy_AndSaysTheSyncFailed()
    {
        var record = await _rig.PublishAsync(_rig.Carrier.Record("carrier", 1, ["12025550123"]));
        var (client, log) = _rig.NewClient();
        _ = await client.SyncAsync();
        _rig.Pki.Time.Advance(TimeSpan.FromMinutes(2));
        log.Down = true;

        var lookup = await new DirectoryKeyHolderSource(client, DirectoryLookupMode.Synced).LookupHolderKeysAsync(Alice, CancellationToken.None);

        Assert.Equal([Convert.ToHexString(record.PublicKey.Span)], lookup.Keys.Select(k => Convert.ToHexString(k.Export())));
        Assert.StartsWith("the cache, 120 s old (the directory did not answer: the sync failed: ", lookup.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownLookupMode_IsMisuse()
    {
        var (client, _) = _rig.NewClient();

        Assert.Throws<ArgumentOutOfRangeException>(() => new DirectoryKeyHolderSource(client, (DirectoryLookupMode)42));
    }

    public void Dispose() => _rig.Dispose();

    // Answers every exact lookup with the given records, as a directory that skipped its checks would.
    private sealed class RogueAnswers(params string[] tokens) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
            {
                Content = new StringContent($"{{\"records\":[{string.Join(',', tokens.Select(t => $"\"{t}\""))}]}}", System.Text.Encoding.UTF8, "application/json"),
            });
    }
}
