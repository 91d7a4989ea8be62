using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cli;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Cli;

/// <summary>
/// At call time the caller asks the directory nothing that names the called number unless it opted in
/// (spec/protocol.md §10 "Call time", TM-60): the real CPS (as `stir serve` builds it) stores the calls, and the real
/// directory on loopback counts every request it receives while `CallPlacer` and `stir call` place calls from a
/// synced copy (none names a number or bucket), with `--sync` (only the change log), and with the live lookup opted
/// in (exactly one bucket request per call).
/// </summary>
public sealed class CallTimeDirectoryPrivacyTests : IAsyncLifetime
{
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");
    private readonly string _data = Directory.CreateTempSubdirectory("stir-calltime-").FullName;
    private readonly List<IDisposable> _owned = [];
    private LocalServices? _services;
    private LoopbackDirectory? _directory;
    private DevelopmentCredential? _aliceCarrier;
    private int _nextCaller;

    private LocalServices Services => _services!;

    private LoopbackDirectory DirectoryService => _directory!;

    private string Pki => Path.Combine(_data, "pki");

    public async Task InitializeAsync()
    {
        _services = await LocalServices.StartDevelopmentAsync(_data, 0, 0, 0, 0, CancellationToken.None);
        _directory = await LoopbackDirectory.StartAsync(Services.TrustAnchorsFile, Path.Combine(_data, "counted-directory"));
        var pki = DevelopmentPki.Load(Pki);
        _owned.Add(pki);
        var alice = pki.IssueEndEntity("alice-carrier", new TNAuthList([new TNEntry.Range(new TelephoneNumberRange(TelephoneNumber.ParseCanonical("12025550000"), 10000))]), TimeSpan.FromDays(30));
        alice.Save(Pki, "alice-carrier");
        var bob = pki.IssueEndEntity("bob-carrier", new TNAuthList([new TNEntry.One(Bob)]), TimeSpan.FromDays(30));
        _owned.AddRange([alice, bob]);
        _aliceCarrier = alice;

        using var hpke = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var signing = PassportSigningKey.FromECDsa(bob.PrivateKey);
        var record = new KeyRecordSigner(signing, bob.Chain).Sign(new KeyRecordContent
        {
            Rid = "bob-carrier",
            Seq = 1,
            PublicKey = hpke.PublicKey,
            Numbers = [Bob],
            Expires = DateTimeOffset.UtcNow.AddDays(7),
        });
        using var http = new HttpClient();
        using var publisher = new DirectoryClient(http, DirectoryService.BaseUrl, Verifier());
        var published = await publisher.PublishAsync(record);
        Assert.True(published.Accepted, published.Detail);
    }

    public async Task DisposeAsync()
    {
        if (_directory is not null)
        {
            await _directory.DisposeAsync();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    [Trait("Claim", "TM-60")]
    public async Task CallPlacer_FromASyncedCopy_NamesNothingToTheDirectory_AndTheLiveOptInAsksOneBucket()
    {
        using var http = new HttpClient();
        using var directory = new DirectoryClient(http, DirectoryService.BaseUrl, Verifier());
        using var key = PassportSigningKey.FromECDsa(_aliceCarrier!.PrivateKey);
        var options = new CallPlacerOptions { Signer = new PassportSigner(key), SignerChain = _aliceCarrier!.Chain };
        _ = await directory.SyncAsync();

        var before = DirectoryService.Requests.Count;
        var placer = new CallPlacer(http, new StaticCallRouter(Services.Cps), new DirectoryKeyHolderSource(directory), options);
        var fromCopy = new List<PlacementReport>();
        for (var i = 0; i < 3; i++)
        {
            fromCopy.Add(await placer.StoreAsync(NextCaller(), Bob, null, CancellationToken.None));
        }

        var duringCopyCalls = DirectoryService.Requests.Skip(before).ToList();
        before = DirectoryService.Requests.Count;
        var live = await new CallPlacer(http, new StaticCallRouter(Services.Cps), new DirectoryKeyHolderSource(directory, DirectoryLookupMode.Bucketed), options)
            .StoreAsync(NextCaller(), Bob, null, CancellationToken.None);
        var duringLiveCall = DirectoryService.Requests.Skip(before).ToList();

        Assert.All(fromCopy, r => Assert.True(r.Stored, r.Detail));
        Assert.All(fromCopy, r => Assert.StartsWith("1 key holder(s), from the cache, ", r.Steps.Single(s => s.Name == "keys").Detail, StringComparison.Ordinal));
        Assert.Empty(duringCopyCalls);
        Assert.True(live.Stored, live.Detail);
        Assert.Equal([$"GET /v1/buckets/{BobsBucket}"], duringLiveCall.Where(r => !r.EndsWith("/v1/config", StringComparison.Ordinal)));
    }

    [Fact]
    [Trait("Claim", "TM-60")]
    public async Task StirCall_FromTheSyncedCache_NamesNothingToTheDirectory_SyncAsksOnlyChanges_LiveLookupAsksOneBucket()
    {
        var cache = Path.Combine(_data, "alice-dir");
        var sync = await CliRunner.RunAsync("directory", "sync", "--directory", DirectoryService.Url, "--trust", Services.TrustAnchorsFile, "--cache", cache);
        Assert.True(sync.ExitCode == 0, sync.Stdout + sync.Stderr);

        var before = DirectoryService.Requests.Count;
        var fromCache = await Call("--cache", cache);
        var duringCachedCall = DirectoryService.Requests.Skip(before).ToList();
        before = DirectoryService.Requests.Count;
        var synced = await Call("--cache", cache, "--sync");
        var duringSyncedCall = DirectoryService.Requests.Skip(before).ToList();
        before = DirectoryService.Requests.Count;
        var live = await Call("--cache", cache, "--live-lookup");
        var duringLiveCall = DirectoryService.Requests.Skip(before).ToList();

        foreach (var call in new[] { fromCache, synced, live })
        {
            Assert.True(call.ExitCode == 0, call.Stdout + call.Stderr);
            Assert.True(call.Json().GetProperty("stored").GetBoolean());
        }

        Assert.Equal("cached", fromCache.Json().GetProperty("keyLookup").GetString());
        Assert.Empty(duringCachedCall);
        Assert.NotEmpty(duringSyncedCall);
        Assert.All(duringSyncedCall, r => Assert.StartsWith("GET /v1/changes?since=", r, StringComparison.Ordinal));
        Assert.Equal([$"GET /v1/buckets/{BobsBucket}"], duringLiveCall.Where(r => !r.EndsWith("/v1/config", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StirCall_WithNoLocalCopy_GoesUnverified_SayingHowToFixIt_AndAsksTheDirectoryNothing()
    {
        var before = DirectoryService.Requests.Count;

        var call = await Call();

        Assert.Equal(3, call.ExitCode);
        var json = call.Json();
        Assert.False(json.GetProperty("stored").GetBoolean());
        var detail = json.GetProperty("detail").GetString()!;
        Assert.Contains("the call goes unverified", detail, StringComparison.Ordinal);
        Assert.Contains("`stir directory sync --cache DIR`", detail, StringComparison.Ordinal);
        Assert.Contains("`stir call --live-lookup`", detail, StringComparison.Ordinal);
        Assert.Empty(DirectoryService.Requests.Skip(before));
    }

    [Fact]
    public async Task StirCall_SyncAndLiveLookupTogether_IsUsage()
    {
        var call = await Call("--sync", "--live-lookup");

        Assert.Equal(2, call.ExitCode);
        Assert.Contains("--sync and --live-lookup exclude each other", call.Stdout, StringComparison.Ordinal);
    }

    private string BobsBucket => KeyRecordBucket.Format(KeyRecordBucket.Of(Bob, 8), 8);

    private Task<CliResult> Call(params string[] more) => CliRunner.RunAsync(
    [
        "call", "--orig", NextCaller().ToE164(), "--dest", Bob.ToE164(),
        "--cert", Path.Combine(Pki, "alice-carrier.chain.pem"), "--key", Path.Combine(Pki, "alice-carrier.key.pem"),
        "--trust", Services.TrustAnchorsFile, "--cps", Services.Cps.AbsoluteUri, "--directory", DirectoryService.Url, "--allow-http", "--output", "json",
        .. more,
    ]);

    private KeyRecordVerifier Verifier() => new(new StirChainValidator(CertificateChain.LoadTrustAnchors(Services.TrustAnchorsFile)));

    private TelephoneNumber NextCaller() => TelephoneNumber.ParseCanonical($"1202555{Interlocked.Increment(ref _nextCaller) + 2000:D4}");
}
