using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.EndToEnd.Tests.Support;

/// <summary>
/// `stir serve` as a real process on loopback (dotnet stir.dll serve), over a data directory of its own, with a
/// development PKI, carriers and endpoints whose chains its x5u repository serves, HPKE key files for several holders
/// per number, and their key records published to the served directory. Tests drive it through `stir` processes
/// (<see cref="StirAsync"/>) and through the library (<see cref="Placer"/>, <see cref="Verifier"/>).
/// </summary>
public sealed class ServeProcess : IAsyncLifetime
{
    public static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");
    public static readonly TelephoneNumber Carol = TelephoneNumber.ParseE164("+14155550111");

    private readonly List<IDisposable> _owned = [];
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly HttpClient _http = new();
    private Process? _process;
    private int _nextCaller;

    /// <summary>The fixture every end-to-end class shares: `stir serve` with its defaults.</summary>
    public ServeProcess()
        : this(new Dictionary<string, string>())
    {
    }

    /// <summary>A `stir serve` of a test's own, with extra configuration in its environment (e.g. <c>Cps__Retention__MaxSeconds</c>).</summary>
    internal ServeProcess(IReadOnlyDictionary<string, string> environment) => _environment = environment;

    public static string StirDll { get; } = typeof(ServeProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "StirCli").Value!;

    public string Data { get; } = Directory.CreateTempSubdirectory("stir-e2e-").FullName;

    public Uri Cps { get; private set; } = null!;

    public Uri DirectoryUrl { get; private set; } = null!;

    public Uri X5uBase { get; private set; } = null!;

    public string Pki => Path.Combine(Data, "pki");

    public string Root => Path.Combine(Pki, "root.pem");

    public DevelopmentPki DevelopmentPki { get; private set; } = null!;

    /// <summary>Alice's carrier: covers 1202555xxxx; each test calls from a number of its own in that block.</summary>
    public DevelopmentCredential AliceCarrier { get; private set; } = null!;

    /// <summary>Bob's carrier: covers 1303555xxxx; a holder of Bob's number, and the retargeting entity of diverted calls.</summary>
    public DevelopmentCredential BobCarrier { get; private set; } = null!;

    /// <summary>Mallory: covers 1666555xxxx only.</summary>
    public DevelopmentCredential Mallory { get; private set; } = null!;

    /// <summary>Key files of Bob's two holders (carrier and PBX) and of Carol's one.</summary>
    public string BobCarrierKey => Path.Combine(Data, "keys", "bob-carrier.key");

    public string BobPbxKey => Path.Combine(Data, "keys", "bob-pbx.key");

    public string CarolKey => Path.Combine(Data, "keys", "carol.key");

    public static PassportParseOptions LoopbackParse { get; } = new() { AllowLoopbackHttpX5u = true };

    public async Task InitializeAsync()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { StirDll, "serve", "--data", Data })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in _environment)
        {
            psi.Environment[name] = value;
        }

        _process = Process.Start(psi)!;
        var lines = new Dictionary<string, string>(StringComparer.Ordinal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line && line != "ready")
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                lines[line[..colon]] = line[(colon + 1)..].Trim().Split(' ')[0];
            }
        }

        if (!lines.ContainsKey("cps"))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"stir serve did not start: {await _process.StandardError.ReadToEndAsync()}");
        }

        // Drain its output so that it never blocks on a full pipe.
        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
        Cps = new Uri(lines["cps"]);
        DirectoryUrl = new Uri(lines["directory"]);
        X5uBase = new Uri(lines["x5u base"]);

        DevelopmentPki = DevelopmentPki.Load(Pki);
        _owned.Add(DevelopmentPki);
        AliceCarrier = Issue("alice-carrier", new TNEntry.Range(new TelephoneNumberRange(TelephoneNumber.ParseCanonical("12025550000"), 10000)));
        BobCarrier = Issue("bob-carrier", new TNEntry.Range(new TelephoneNumberRange(TelephoneNumber.ParseCanonical("13035550000"), 10000)));
        var bobPbx = Issue("bob-pbx", new TNEntry.One(Bob));
        var carolCarrier = Issue("carol-carrier", new TNEntry.Range(new TelephoneNumberRange(TelephoneNumber.ParseCanonical("14155550000"), 10000)));
        Mallory = Issue("mallory", new TNEntry.Range(new TelephoneNumberRange(TelephoneNumber.ParseCanonical("16665550000"), 10000)));

        Directory.CreateDirectory(Path.Combine(Data, "keys"));
        using var directory = new DirectoryClient(_http, DirectoryUrl, new KeyRecordVerifier(Validator()));
        foreach (var (holder, file, number) in new[] { (BobCarrier, BobCarrierKey, Bob), (bobPbx, BobPbxKey, Bob), (carolCarrier, CarolKey, Carol) })
        {
            using var hpke = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
            await File.WriteAllBytesAsync(file, hpke.Export());
            using var signing = PassportSigningKey.FromECDsa(holder.PrivateKey);
            var record = new KeyRecordSigner(signing, holder.Chain).Sign(new KeyRecordContent
            {
                Rid = Path.GetFileNameWithoutExtension(file),
                Seq = 1,
                PublicKey = hpke.PublicKey,
                Numbers = [number],
                Expires = DateTimeOffset.UtcNow.AddDays(7),
            });
            var published = await directory.PublishAsync(record);
            Assert.True(published.Accepted, published.Detail);
        }
    }

    /// <summary>A calling number no other test uses, in Alice's carrier's block (calls of different tests never share a bucket's PASSporTs).</summary>
    public TelephoneNumber NextCaller() => TelephoneNumber.ParseCanonical($"1202555{Interlocked.Increment(ref _nextCaller) + 1000:D4}");

    public string X5uOf(string name) => new Uri(X5uBase, $"{name}.pem").AbsoluteUri;

    public string ChainFile(string name) => Path.Combine(Pki, $"{name}.chain.pem");

    public string KeyFile(string name) => Path.Combine(Pki, $"{name}.key.pem");

    public StirChainValidator Validator() => new(CertificateChain.LoadTrustAnchors(Root));

    /// <summary>Runs `stir ARGS` as a process and returns its exit code and output.</summary>
    internal static Task<ProcessResult> StirAsync(params string[] args) => Peers.RunAsync("dotnet", [StirDll, .. args], timeout: TimeSpan.FromSeconds(60));

    internal static JsonElement Json(ProcessResult result)
    {
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// A placer whose keys come from its own copy of the served directory, synced before each lookup (snapshot and
    /// changes, which name no number: the library's call-time default takes keys from a local copy only).
    /// </summary>
    public CallPlacer Placer(DevelopmentCredential? signer, string? x5uName = null, HttpMessageHandler? directoryHandler = null, string? cacheDirectory = null, DirectoryLookupMode mode = DirectoryLookupMode.Synced)
    {
        PassportSigner? passportSigner = null;
        if (signer is not null)
        {
            var key = PassportSigningKey.FromECDsa(signer.PrivateKey);
            _owned.Add(key);
            passportSigner = new PassportSigner(key);
        }

        var directoryHttp = directoryHandler is null ? _http : new HttpClient(directoryHandler);
        var directory = new DirectoryClient(directoryHttp, DirectoryUrl, new KeyRecordVerifier(Validator()), new DirectoryClientOptions { CacheDirectory = cacheDirectory });
        _owned.Add(directory);
        return new CallPlacer(_http, new StaticCallRouter(Cps), new DirectoryKeyHolderSource(directory, mode), new CallPlacerOptions
        {
            Signer = passportSigner,
            SignerX5u = x5uName is null ? null : X5uOf(x5uName),
            SignerChain = signer?.Chain,
        });
    }

    public CallVerifier Verifier(string keyFile, TelephoneNumber number, Uri? cps = null)
    {
        var ring = new CalleeKeyRing();
        _owned.Add(ring);
        ring.Add(number, HpkePrivateKey.Import(HpkeKem.X25519HkdfSha256, File.ReadAllBytes(keyFile)));
        var validator = Validator();
        var passports = new PassportVerifier(
            new StirCredentialResolver(validator, new X5uResolver(_http, validator, new X5uResolverOptions { AllowHttp = true })),
            new PassportVerifierOptions { ParseOptions = LoopbackParse });
        return new CallVerifier(_http, new StaticCallRouter(cps ?? Cps), ring, passports);
    }

    public Passport Sign(DevelopmentCredential signer, string x5uName, Func<PassportBuilder, PassportBuilder> shape)
    {
        using var key = PassportSigningKey.FromECDsa(signer.PrivateKey);
        return shape(new PassportBuilder().WithX5u(X5uOf(x5uName))).Sign(new PassportSigner(key));
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        foreach (var owned in _owned.AsEnumerable().Reverse())
        {
            owned.Dispose();
        }

        _http.Dispose();
        Directory.Delete(Data, recursive: true);
    }

    private DevelopmentCredential Issue(string name, TNEntry entry)
    {
        var credential = DevelopmentPki.IssueEndEntity(name, new TNAuthList([entry]), TimeSpan.FromDays(30));
        credential.Save(Pki, name);
        _owned.Add(credential);
        return credential;
    }
}
