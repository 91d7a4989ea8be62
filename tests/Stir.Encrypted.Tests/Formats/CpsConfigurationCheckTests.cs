using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;
using static Stir.Encrypted.Tests.Support.LoopbackHttpServer;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// The CPS configuration as the caller and the callee meet it over HTTP (spec/protocol.md §7): one weaker than the
/// client's floors is refused before anything else is sent, and one that changed since it was accepted is reported
/// once, by the fetch that found it, in the report's steps, from memory or from the known-configurations file.
/// </summary>
public sealed class CpsConfigurationCheckTests : IDisposable
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseE164("+12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");
    private readonly string _dir = Directory.CreateTempSubdirectory("stir-known-cps-").FullName;
    private readonly HttpClient _http = new();
    private readonly HpkePrivateKey _bobKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
    private readonly DevelopmentPki _pki = DevelopmentPki.Create();

    private string KnownFile => Path.Combine(_dir, "known-cps.json");

    public void Dispose()
    {
        _http.Dispose();
        _bobKey.Dispose();
        _pki.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, int, string> WeakMembers() => new()
    {
        { "index.bucketBits", 32, "\"index.bucketBits\" is 32; this client accepts at most 20" },
        { "epochSeconds", 7 * 24 * 3600, "\"epochSeconds\" is 604800; this client accepts at most 3600" },
        { "classes.slots", 2, "\"classes[0].slots\" is 2; this client accepts at least 8" },
        { "retention.maxSeconds", 3600, "\"retention.maxSeconds\" is 3600; this client accepts at most 120" },
        { "retention.minSeconds", 1, "\"retention.minSeconds\" is 1; this client accepts at least 5" },
    };

    [Theory]
    [MemberData(nameof(WeakMembers))]
    [Trait("Claim", "TM-01")]
    public async Task WeakConfiguration_OverHttp_TheCallerStoresNothing_TheCalleeRetrievesNothing_OnlyTheConfigIsAsked(string member, int value, string reason)
    {
        await using var server = new LoopbackHttpServer();
        server.Map("/v1/config", new Reply(200, "application/json", Document(Weaken(Sample(), member, value))));
        var keys = new CountingKeys(_bobKey.PublicKey);
        var placer = new CallPlacer(_http, new StaticCallRouter(new Uri(server.BaseUrl)), keys, new CallPlacerOptions { Signer = null });
        using var ring = new CalleeKeyRing();
        ring.Add(Bob, HpkePrivateKey.Import(_bobKey.Kem, _bobKey.Export()));
        var verifier = new CallVerifier(_http, new StaticCallRouter(new Uri(server.BaseUrl)), ring, Passports());

        var report = await placer.StoreAsync(Alice, Bob, ["a.b.c"], CancellationToken.None);
        var verdict = await verifier.VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.False(report.Stored);
        Assert.Contains(reason, report.Detail, StringComparison.Ordinal);
        Assert.Equal(["route", "config"], report.Steps.Select(s => s.Name));
        Assert.Equal(0, keys.Asked);
        Assert.Equal(Verstat.NoTnValidation, verdict.Verstat);
        Assert.Contains(reason, verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(["route"], verdict.Steps.Select(s => s.Name));
        Assert.NotEmpty(server.Requests);
        Assert.All(server.Requests, r => Assert.Equal("GET /v1/config", r));
    }

    [Fact]
    [Trait("Claim", "TM-01")]
    public async Task ChangedConfiguration_IsReportedOnce_AcrossProcesses_ThroughTheKnownConfigurationsFile()
    {
        await using var server = new LoopbackHttpServer();
        var served = Sample().ToJson();
        server.Map("/v1/config", () => new Reply(200, "application/json", Document(served)));
        var options = new CallPlacerOptions { Cps = new CpsClientOptions { KnownConfigurationsFile = KnownFile } };
        var keys = new CountingKeys();

        // A placer per call, as `stir call` runs once per call: each reads the file when it starts.
        var first = await new CallPlacer(_http, new StaticCallRouter(new Uri(server.BaseUrl)), keys, options).StoreAsync(Alice, Bob, null, CancellationToken.None);
        served = Weaken(Sample(), "index.bucketBits", 16);
        var second = await new CallPlacer(_http, new StaticCallRouter(new Uri(server.BaseUrl)), keys, options).StoreAsync(Alice, Bob, null, CancellationToken.None);
        var third = await new CallPlacer(_http, new StaticCallRouter(new Uri(server.BaseUrl)), keys, options).StoreAsync(Alice, Bob, null, CancellationToken.None);

        Assert.Null(first.ConfigurationChange);
        var change = Assert.IsType<CpsConfigurationChange>(second.ConfigurationChange);
        Assert.Equal(["index.bucketBits 14 → 16"], change.Differences);
        Assert.False(change.SaltChanged);
        Assert.Equal(new Uri(server.BaseUrl + "/"), change.Cps);
        Assert.Contains($"; changed since {change.Since.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}: index.bucketBits 14 → 16", second.Steps.Single(s => s.Name == "config").Detail, StringComparison.Ordinal);
        Assert.Null(third.ConfigurationChange);
        Assert.DoesNotContain("changed", third.Steps.Single(s => s.Name == "config").Detail, StringComparison.Ordinal);

        // The file: owner-only, no telephone number, and the configuration accepted last.
        var text = await File.ReadAllTextAsync(KnownFile);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KnownFile));
        }

        Assert.DoesNotContain(Alice.Value, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Bob.Value, text, StringComparison.Ordinal);
        Assert.Equal(16, (int)JsonNode.Parse(text)!["known"]![0]!["configuration"]!["index"]!["bucketBits"]!);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    [Trait("Claim", "TM-01")]
    public async Task ChangedSalt_IsCalledOut_ToTheCallee_InMemory_WithoutAFile()
    {
        await using var server = new LoopbackHttpServer();
        var served = Sample().ToJson();
        server.Map("/v1/config", () => new Reply(200, "application/json", Document(served)));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var ring = new CalleeKeyRing();
        ring.Add(Bob, HpkePrivateKey.Import(_bobKey.Kem, _bobKey.Export()));
        var verifier = new CallVerifier(_http, new StaticCallRouter(new Uri(server.BaseUrl)), ring, Passports(), new CallVerifierOptions
        {
            Cps = new CpsClientOptions { TimeProvider = time, MinimumMemoryKiB = 8, MinimumIterations = 1 },
            TimeProvider = time,
        });

        var before = await verifier.VerifyAsync(Alice, Bob, CancellationToken.None);
        served = Sample(salt: 7).ToJson();
        time.Advance(TimeSpan.FromMinutes(11)); // past ConfigurationMaxAge: the next verification fetches again
        var after = await verifier.VerifyAsync(Alice, Bob, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(11));
        var later = await verifier.VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.Null(before.ConfigurationChange);
        var change = Assert.IsType<CpsConfigurationChange>(after.ConfigurationChange);
        Assert.True(change.SaltChanged);
        Assert.StartsWith("index.salt ", Assert.Single(change.Differences), StringComparison.Ordinal);
        Assert.Contains("the SALT changed", after.Steps[0].Detail, StringComparison.Ordinal);
        Assert.Null(later.ConfigurationChange);
        Assert.False(File.Exists(KnownFile));
    }

    [Fact]
    public async Task DamagedKnownConfigurationsFile_IsRefusedWhenThePlacerIsMade_NamingTheFile()
    {
        await File.WriteAllTextAsync(KnownFile, "{\"format\":1,\"known\":[{\"cps\":\"http://x/\"}]}");

        var ex = Assert.Throws<KnownCpsConfigurationsFormatException>(() => new CallPlacer(_http, new StaticCallRouter(new Uri("http://127.0.0.1:1/")), new CountingKeys(), new CallPlacerOptions { Cps = new CpsClientOptions { KnownConfigurationsFile = KnownFile } }));

        Assert.Equal(KnownFile, ex.Path);
        Assert.StartsWith("known[0]: expected", ex.Reason, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    private static CpsConfiguration Sample(byte salt = 1) => new(
        new IndexParameters(Enumerable.Repeat(salt, 32).ToArray(), IndexParameters.DefaultMemoryKiB, IndexParameters.DefaultIterations, 14, 3600),
        [new SizeClass(2048, 16)],
        RetentionPolicy.Default,
        storeAuthenticationRequired: false,
        maxBlobsPerStore: 8,
        clockSkewSeconds: 5);

    private static JsonObject Weaken(CpsConfiguration config, string member, int value)
    {
        var doc = config.ToJson();
        switch (member)
        {
            case "classes.slots":
                doc["classes"]![0]!["slots"] = value;
                break;
            case "retention.minSeconds":
                doc["retention"]!["minSeconds"] = value;
                break;
            default:
                var parts = member.Split('.');
                var target = parts.Length == 1 ? doc : (JsonObject)doc[parts[0]]!;
                target[parts[^1]] = value;
                break;
        }

        return doc;
    }

    private static byte[] Document(JsonObject doc) => Encoding.UTF8.GetBytes(doc.ToJsonString());

    private PassportVerifier Passports()
    {
        var validator = new StirChainValidator([_pki.Root.Certificate]);
        return new PassportVerifier(new StirCredentialResolver(validator, new X5uResolver(_http, validator)));
    }

    // Counts how often the caller asked for keys (it must not, before the configuration passed).
    private sealed class CountingKeys(params HpkePublicKey[] keys) : IKeyHolderSource
    {
        public int Asked { get; private set; }

        public Task<IReadOnlyList<HpkePublicKey>> GetHolderKeysAsync(TelephoneNumber called, CancellationToken cancellationToken)
        {
            Asked++;
            return Task.FromResult<IReadOnlyList<HpkePublicKey>>(keys);
        }
    }
}
