using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.DirectoryService.Tests.Client;

/// <summary>The directory client against the real directory: publish, lookups, and the cache when the directory is down.</summary>
public sealed class DirectoryClientTests : IDisposable
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseCanonical("12025550123");
    private readonly ClientRig _rig = new();
    private readonly TemporaryDirectory _cache = new();

    [Fact]
    public async Task Publish_AcceptedUnchangedAndRefused_AreResultsWithTheProblem()
    {
        var (client, _) = _rig.NewClient();
        var record = _rig.Carrier.Record("alice", 1, ["12025550123"]);

        var accepted = await client.PublishAsync(record);
        var again = await client.PublishAsync(record);
        var refused = await client.PublishAsync(_rig.Carrier.Record("alice", 1, ["12025550124"]));
        var revoked = await client.PublishAsync(_rig.Carrier.Revocation("alice", 2));

        Assert.True(accepted.Accepted);
        Assert.Equal((201, 1L), (accepted.Status, accepted.Version!.Value));
        Assert.True(again.Accepted && again.Unchanged);
        Assert.False(refused.Accepted);
        Assert.Equal((409, "seq-conflict"), (refused.Status, refused.ProblemType));
        Assert.StartsWith("seq 1 of rid alice is already stored with different content", refused.Detail, StringComparison.Ordinal);
        Assert.True(revoked.Accepted);
    }

    [Theory]
    [InlineData(DirectoryLookupMode.Bucketed)]
    [InlineData(DirectoryLookupMode.Exact)]
    public async Task Lookup_ReturnsTheVerifiedKeysOfEveryHolder_AndIgnoresOtherNumbersOfTheBucket(DirectoryLookupMode mode)
    {
        var reseller = _rig.Pki.Issue("reseller", "range:12025550100+100");
        var carrierKey = await _rig.PublishAsync(_rig.Carrier.Record("carrier", 1, ["12025550000+10000"]));
        var resellerKey = await _rig.PublishAsync(reseller.Record("reseller", 1, ["12025550100+100"]));
        await _rig.PublishAsync(_rig.Carrier.Record("other", 1, ["12025551234"]));
        var (client, log) = _rig.NewClient();

        var result = await client.LookupAsync(Alice, mode);

        Assert.Equal(DirectoryLookupSource.Directory, result.Source);
        Assert.Equal(TimeSpan.Zero, result.Age);
        Assert.Empty(result.Rejected);
        Assert.Equal(new[] { carrierKey.Token, resellerKey.Token }.Order(StringComparer.Ordinal), result.Keys.Select(k => k.Record.Token).Order(StringComparer.Ordinal));
        Assert.Equal(carrierKey.PublicKey.ToArray(), result.Keys.Single(k => k.Record.Rid == "carrier").PublicKey.Export());
        if (mode == DirectoryLookupMode.Bucketed)
        {
            Assert.DoesNotContain(log.Paths, p => p.Contains("12025550123", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Lookup_WhenTheDirectoryIsDown_AnswersFromTheCache_SayingSoAndHowOld()
    {
        var record = await _rig.PublishAsync(_rig.Carrier.Record("alice", 1, ["12025550123"]));
        var (client, log) = _rig.NewClient(new DirectoryClientOptions { CacheDirectory = _cache.Path, CacheMaxAge = TimeSpan.FromHours(2) });
        _ = await client.LookupAsync(Alice);
        _rig.Pki.Time.Advance(TimeSpan.FromMinutes(90));
        log.Down = true;

        var cached = await client.LookupAsync(Alice);

        Assert.Equal(DirectoryLookupSource.Cache, cached.Source);
        Assert.Equal(TimeSpan.FromMinutes(90), cached.Age);
        Assert.Contains("did not answer", cached.DirectoryFailure, StringComparison.Ordinal);
        Assert.Equal([record.Token], cached.Keys.Select(k => k.Record.Token));
    }

    [Fact]
    public async Task Lookup_WhenTheCacheIsOlderThanTheMaxAge_AndTheDirectoryIsDown_Throws()
    {
        await _rig.PublishAsync(_rig.Carrier.Record("alice", 1, ["12025550123"]));
        var (client, log) = _rig.NewClient(new DirectoryClientOptions { CacheMaxAge = TimeSpan.FromHours(1) });
        _ = await client.LookupAsync(Alice);
        _rig.Pki.Time.Advance(TimeSpan.FromMinutes(61));
        log.Down = true;

        var e = await Assert.ThrowsAsync<DirectoryUnavailableException>(() => client.LookupAsync(Alice));

        Assert.Contains("the cache holds nothing for the number younger than 01:00:00", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_SurvivesANewClient_OnTheSameDirectory()
    {
        var record = await _rig.PublishAsync(_rig.Carrier.Record("alice", 1, ["12025550123"]));
        var options = new DirectoryClientOptions { CacheDirectory = _cache.Path };
        var (first, _) = _rig.NewClient(options);
        _ = await first.LookupAsync(Alice, DirectoryLookupMode.Exact);
        var (second, log) = _rig.NewClient(options);
        log.Down = true;

        var cached = await second.LookupAsync(Alice, DirectoryLookupMode.Cached);

        Assert.Equal([record.Token], cached.Keys.Select(k => k.Record.Token));
        Assert.Empty(log.Requests);
        Assert.True(File.Exists(Path.Combine(_cache.Path, "ledger.json")));
    }

    [Fact]
    public async Task CachedMode_AfterASync_AsksTheDirectoryNothing()
    {
        var record = await _rig.PublishAsync(_rig.Carrier.Record("alice", 1, ["12025550123"]));
        var (client, log) = _rig.NewClient();
        _ = await client.SyncAsync();
        log.Clear();

        var result = await client.LookupAsync(Alice, DirectoryLookupMode.Cached);

        Assert.Equal([record.Token], result.Keys.Select(k => k.Record.Token));
        Assert.Equal(DirectoryLookupSource.Cache, result.Source);
        Assert.Empty(log.Requests);
    }

    [Fact]
    public async Task Lookup_ExpiredAndRevokedRecords_GiveNoKey()
    {
        await _rig.PublishAsync(_rig.Carrier.Record("short", 1, ["12025550123"], days: 1));
        await _rig.PublishAsync(_rig.Carrier.Record("gone", 1, ["12025550123"]));
        await _rig.PublishAsync(_rig.Carrier.Revocation("gone", 2));
        var (client, _) = _rig.NewClient();
        _ = await client.SyncAsync();
        _rig.Pki.Time.Advance(TimeSpan.FromDays(1));

        var result = await client.LookupAsync(Alice, DirectoryLookupMode.Cached);

        Assert.Empty(result.Keys);
        Assert.Equal([KeyRecordFailure.Expired], result.Rejected.Select(r => r.Failure));
    }

    public void Dispose()
    {
        _rig.Dispose();
        _cache.Dispose();
    }
}
