using System.Diagnostics;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Flows;

/// <summary>
/// TM-46, TM-57: a CPS that is down never holds a call. "Down" here is the hard case: a server that accepts the
/// connection and then never answers (a hung process, a black-holed path), at the first request or after
/// answering the configuration. The caller's store and the callee's verdict must come back within the clients'
/// timeouts (2 s per CPS request by default), far under the 10 s the claim promises; a client whose timeout were
/// a minute fails here, where a refused port would have let it pass.
/// </summary>
public sealed class StalledServiceTests : IAsyncDisposable
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseE164("+12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");

    // The claim's bound (TM-46: "well under 10 s"); a client that waits longer fails instead of hanging the test.
    private static readonly TimeSpan Claimed = TimeSpan.FromSeconds(10);

    private readonly CpsFactory _cps = new();
    private readonly StallingServer _stalled = new();
    private readonly HttpClient _http = new();
    private readonly DevelopmentPki _pki;
    private readonly DevelopmentCredential _aliceCarrier;
    private readonly HpkePrivateKey _bobKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

    public StalledServiceTests()
    {
        _pki = DevelopmentPki.Create(_cps.Time);
        _aliceCarrier = _pki.IssueEndEntity("alice-carrier", new TNAuthList([new TNEntry.One(Alice)]), TimeSpan.FromDays(30));
    }

    [Fact]
    [Trait("Claim", "TM-46")]
    public async Task CpsThatAcceptsAndNeverAnswers_GivesNoValidation_AndNoStore_WithinTheClaimedBound()
    {
        var (verdict, report, elapsed) = await CallThroughStalledCpsAsync();

        Assert.Equal(Verstat.NoTnValidation, verdict.Verstat);
        Assert.False(report.Stored);
        Assert.True(elapsed < Claimed, $"took {elapsed.TotalSeconds:F1} s");
        Assert.True(_stalled.Requests >= 2, "the clients did reach the stalled server");
    }

    [Fact]
    [Trait("Claim", "TM-57")]
    public async Task CpsThatAnswersItsConfigurationThenStalls_GivesNoValidation_AndNoStore_WithinTheClaimedBound()
    {
        // A misdirected or failing CPS that still serves a sound configuration document, then holds the store and
        // the retrieval: the request after the configuration must be bounded too.
        using var real = _cps.CreateClient();
        var config = await real.GetStringAsync(new Uri("v1/config", UriKind.Relative));
        _stalled.Answer["GET /v1/config "] = StallingServer.Json(config);

        var (verdict, report, elapsed) = await CallThroughStalledCpsAsync();

        Assert.Equal(Verstat.NoTnValidation, verdict.Verstat);
        Assert.False(report.Stored);
        Assert.True(elapsed < Claimed, $"took {elapsed.TotalSeconds:F1} s");
        Assert.Contains(report.Steps, s => s.Name == "config" && !s.Detail.Contains("no usable", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await _stalled.DisposeAsync();
        _http.Dispose();
        _cps.Dispose();
        foreach (var d in new IDisposable[] { _aliceCarrier, _pki, _bobKey })
        {
            d.Dispose();
        }
    }

    private async Task<(CallVerdict Verdict, PlacementReport Report, TimeSpan Elapsed)> CallThroughStalledCpsAsync()
    {
        var router = new StaticCallRouter(_stalled.BaseUrl);
        using var keys = new CalleeKeyRing();
        keys.Add(Bob, _bobKey);
        var passports = new PassportVerifier(new StirCredentialResolver(new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _cps.Time })), null, _cps.Time);
        var verifier = new CallVerifier(_http, router, keys, passports, new CallVerifierOptions { TimeProvider = _cps.Time });
        var placer = new CallPlacer(_http, router, new FixedKeyHolders([_bobKey.PublicKey]), new CallPlacerOptions
        {
            Signer = new PassportSigner(PassportSigningKey.FromECDsa(_aliceCarrier.PrivateKey), _cps.Time),
            SignerChain = _aliceCarrier.Chain,
            TimeProvider = _cps.Time,
        });

        var started = Stopwatch.StartNew();
        var verdict = verifier.VerifyAsync(Alice, Bob, CancellationToken.None);
        var report = placer.StoreAsync(Alice, Bob, null, CancellationToken.None);
        // Fail rather than hang when a client is unbounded (the mutation this test exists for).
        await Task.WhenAll(verdict, report).WaitAsync(Claimed + TimeSpan.FromSeconds(5));
        return (await verdict, await report, started.Elapsed);
    }
}
