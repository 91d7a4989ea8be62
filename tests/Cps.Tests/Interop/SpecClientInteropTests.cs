using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps.Tests.Storage;
using Stir.Encrypted.CpsService;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Interop;

/// <summary>
/// tests/interop/spec-client.mjs is a client written from spec/protocol.md alone (Node: @hpke/core, jose,
/// @noble/hashes; no project code). Against the real service on a loopback Kestrel port, with the default index
/// cost: what it stores, the project's callee opens and verifies; what the project's caller stores, it opens. With
/// several key holders, one blob is sealed to all of them (spec §4) and each side opens the other's with every key.
/// </summary>
public sealed class SpecClientInteropTests : IAsyncLifetime
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseE164("+12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");

    private readonly TemporaryDirectory _data = new();
    private readonly DevelopmentPki _pki = DevelopmentPki.Create();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private WebApplication? _cps;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        // x5c PASSporTs are ~2.5 KB, so one 8 KiB class; everything else (Argon2id cost, b, retention) at the defaults.
        _cps = CpsApplication.Build(
        [
            "--urls=http://127.0.0.1:0",
            $"--Cps:DataDirectory={_data.Path}",
            "--Cps:Classes:0:Size=8192",
            "--Cps:Classes:0:Slots=16",
            "--Cps:Management:Urls=",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _cps.StartAsync();
        _base = new Uri(_cps.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public async Task DisposeAsync()
    {
        if (_cps is not null)
        {
            await _cps.StopAsync();
            await _cps.DisposeAsync();
        }

        _http.Dispose();
        _pki.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task BlobStoredBySpecClient_IsOpenedAndVerifiedByTheProjectsCallee()
    {
        using var alice = _pki.IssueEndEntity("alice", new TNAuthList([new TNEntry.One(Alice)]), TimeSpan.FromDays(1));
        using var bobKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

        var stored = await RunSpecClientAsync("store", StoreInput(alice, bobKey));
        var verdict = await Verifier(bobKey).VerifyAsync(Alice, Bob, CancellationToken.None);
        using var otherKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var notForOther = await Verifier(otherKey).VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.Equal(201, stored["status"]!.GetValue<int>());
        Assert.Equal(1, stored["blobs"]!.GetValue<int>());
        Assert.True(verdict.Verstat == Verstat.TnValidationPassed, verdict.ToString());
        Assert.Equal([stored["passport"]!.GetValue<string>()], verdict.Tokens);
        Assert.Equal(Verstat.NoTnValidation, notForOther.Verstat);
    }

    [Fact]
    [Trait("Claim", "TM-59")]
    public async Task OneBlobSealedBySpecClientToTwoHolders_IsOpenedAndVerifiedByEachOfTheProjectsHolders()
    {
        using var alice = _pki.IssueEndEntity("alice", new TNAuthList([new TNEntry.One(Alice)]), TimeSpan.FromDays(1));
        using var carrier = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var phone = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var otherKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

        var stored = await RunSpecClientAsync("store", StoreInput(alice, carrier, phone));

        Assert.Equal(1, stored["blobs"]!.GetValue<int>());
        foreach (var key in new[] { carrier, phone })
        {
            var verdict = await Verifier(key).VerifyAsync(Alice, Bob, CancellationToken.None);
            Assert.True(verdict.Verstat == Verstat.TnValidationPassed, verdict.ToString());
            Assert.Equal([stored["passport"]!.GetValue<string>()], verdict.Tokens);
        }

        Assert.Equal(Verstat.NoTnValidation, (await Verifier(otherKey).VerifyAsync(Alice, Bob, CancellationToken.None)).Verstat);
    }

    [Fact]
    public async Task FiveHolders_SpecClientStoresTwoBlobsInOneRequest_AndEachProjectHolderVerifies()
    {
        using var alice = _pki.IssueEndEntity("alice", new TNAuthList([new TNEntry.One(Alice)]), TimeSpan.FromDays(1));
        var keys = Enumerable.Range(0, 5).Select(_ => HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256)).ToArray();
        try
        {
            var stored = await RunSpecClientAsync("store", StoreInput(alice, keys));

            Assert.Equal(2, stored["blobs"]!.GetValue<int>());
            foreach (var key in keys)
            {
                var verdict = await Verifier(key).VerifyAsync(Alice, Bob, CancellationToken.None);
                Assert.True(verdict.Verstat == Verstat.TnValidationPassed, verdict.ToString());
            }
        }
        finally
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    [Fact]
    public async Task BlobStoredByTheProjectsCaller_IsOpenedBySpecClient()
    {
        using var alice = _pki.IssueEndEntity("alice", new TNAuthList([new TNEntry.One(Alice)]), TimeSpan.FromDays(1));
        using var bobKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var otherKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

        var report = await Placer(alice, bobKey.PublicKey).StoreAsync(Alice, Bob, null, CancellationToken.None);
        var opened = await RunSpecClientAsync("open", OpenInput(bobKey));
        var openedByOther = await RunSpecClientAsync("open", OpenInput(otherKey));

        Assert.True(report.Stored, report.Detail);
        var blob = Assert.Single(opened["opened"]!.AsArray());
        Assert.Equal(report.Passports, blob!["passports"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal((long)report.Epoch, blob["epoch"]!.GetValue<long>());
        Assert.Empty(openedByOther["opened"]!.AsArray());
    }

    [Fact]
    [Trait("Claim", "TM-59")]
    public async Task OneBlobSealedByTheProjectToTwoHolders_IsOpenedBySpecClientWithEachKey()
    {
        using var alice = _pki.IssueEndEntity("alice", new TNAuthList([new TNEntry.One(Alice)]), TimeSpan.FromDays(1));
        using var carrier = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var phone = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var otherKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

        var report = await Placer(alice, carrier.PublicKey, phone.PublicKey).StoreAsync(Alice, Bob, null, CancellationToken.None);

        Assert.True(report.Stored, report.Detail);
        Assert.Equal(1, report.Blobs);
        var buckets = new HashSet<string>();
        foreach (var key in new[] { carrier, phone })
        {
            var opened = Assert.Single((await RunSpecClientAsync("open", OpenInput(key)))["opened"]!.AsArray());
            Assert.Equal(report.Passports, opened!["passports"]!.AsArray().Select(p => p!.GetValue<string>()));
            buckets.Add(opened["bucket"]!.GetValue<string>());
        }

        Assert.Single(buckets);
        Assert.Empty((await RunSpecClientAsync("open", OpenInput(otherKey)))["opened"]!.AsArray());
    }

    private JsonObject StoreInput(DevelopmentCredential signer, params HpkePrivateKey[] holders) => new()
    {
        ["cps"] = _base.ToString(),
        ["orig"] = Alice.ToE164(),
        ["dest"] = Bob.ToE164(),
        ["holderPublicKeys"] = new JsonArray([.. holders.Select(h => (JsonNode)Base64Url.EncodeToString(h.PublicKey.Export()))]),
        ["signer"] = new JsonObject
        {
            ["pkcs8"] = signer.PrivateKey.ExportPkcs8PrivateKeyPem(),
            ["x5c"] = new JsonArray([.. signer.Chain.Select(c => (JsonNode)Convert.ToBase64String(c.RawData))]),
        },
    };

    private CallPlacer Placer(DevelopmentCredential signer, params HpkePublicKey[] holders) =>
        new(_http, new StaticCallRouter(_base), new FixedKeyHolders(Bob, holders), new CallPlacerOptions
        {
            Signer = new PassportSigner(PassportSigningKey.FromECDsa(signer.PrivateKey), TimeProvider.System),
            SignerChain = signer.Chain,
        });

    private JsonObject OpenInput(HpkePrivateKey key) => new()
    {
        ["cps"] = _base.ToString(),
        ["orig"] = Alice.ToE164(),
        ["dest"] = Bob.ToE164(),
        ["holderPrivateKey"] = Base64Url.EncodeToString(key.Export()),
    };

    private CallVerifier Verifier(HpkePrivateKey key)
    {
        var ring = new CalleeKeyRing();
        ring.Add(Bob, HpkePrivateKey.Import(key.Kem, key.Export()));
        var passports = new PassportVerifier(new StirCredentialResolver(new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions())), null, TimeProvider.System);
        return new CallVerifier(_http, new StaticCallRouter(_base), ring, passports);
    }

    private static async Task<JsonObject> RunSpecClientAsync(string command, JsonObject input)
    {
        var node = Peers.RequireNode();
        var result = await Peers.RunAsync(node, ["spec-client.mjs", command], input.ToJsonString(), Peers.InteropDirectory, TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, $"spec-client.mjs {command}: {result}");
        return JsonNode.Parse(result.Stdout, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false })!.AsObject();
    }
}
