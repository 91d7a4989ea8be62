using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Flows;

/// <summary>
/// TM-14: a caller whose clock runs a few seconds ahead of the CPS and the callee, two seconds before an epoch
/// boundary, is already in the next epoch: it stores there, the CPS accepts it within the skew, and the callee, which
/// also fetches the next epoch that close to the boundary, verifies the call. A clock further off than the skew is a
/// fault that shows (the PASSporT is issued in the future), never a silent pass.
/// </summary>
public sealed class ClockSkewTests : IDisposable
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseE164("+12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");

    // Two seconds before the boundary of epochs 525960 and 525961 (E = 3600 s).
    private static readonly DateTimeOffset BeforeBoundary = new DateTimeOffset(2030, 1, 1, 1, 0, 0, TimeSpan.Zero).AddSeconds(-2);

    private readonly CpsFactory _cps = new(time: new FakeTimeProvider(BeforeBoundary), settings: new Dictionary<string, string?> { ["Cps:Classes:0:Size"] = "8192", ["Cps:Classes:0:Slots"] = "8", ["Cps:Limits:MaxBlobsPerStore"] = "4" });
    private readonly HttpClient _http;
    private readonly DevelopmentPki _pki;
    private readonly DevelopmentCredential _alice;
    private readonly HpkePrivateKey _bobKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

    public ClockSkewTests()
    {
        _http = _cps.CreateClient();
        _pki = DevelopmentPki.Create(_cps.Time);
        _alice = _pki.IssueEndEntity("alice", new TNAuthList([new TNEntry.One(Alice)]), TimeSpan.FromDays(30));
    }

    public void Dispose()
    {
        _http.Dispose();
        _cps.Dispose();
        _alice.Dispose();
        _pki.Dispose();
        _bobKey.Dispose();
    }

    [Fact]
    [Trait("Claim", "TM-14")]
    public async Task CallerFourSecondsAhead_AcrossAnEpochBoundary_StoresInTheNextEpoch_AndTheCallVerifies()
    {
        var caller = new FakeTimeProvider(BeforeBoundary.AddSeconds(4));

        var report = await Placer(caller).StoreAsync(Alice, Bob, null, CancellationToken.None);
        var verdict = await Verifier().VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.True(report.Stored, report.Detail);
        Assert.Equal(CpsRequests.EpochAt(BeforeBoundary) + 1, report.Epoch);
        Assert.True(verdict.Verstat == Verstat.TnValidationPassed, verdict.ToString());
    }

    [Fact]
    [Trait("Claim", "TM-14")]
    public async Task CallerTenSecondsAhead_IsAClockFault_TheCallFailsAsIssuedInTheFuture()
    {
        var caller = new FakeTimeProvider(BeforeBoundary.AddSeconds(10));

        await Placer(caller).StoreAsync(Alice, Bob, null, CancellationToken.None);
        var verdict = await Verifier().VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.True(verdict.Verstat == Verstat.TnValidationFailed, verdict.ToString());
        Assert.Equal(PassportRule.IssuedInFuture, verdict.Passports!.Rule);
    }

    private CallPlacer Placer(TimeProvider callerClock) => new(_http, new StaticCallRouter(_http.BaseAddress!), new FixedKeyHolders(Bob, _bobKey.PublicKey), new CallPlacerOptions
    {
        Signer = new PassportSigner(PassportSigningKey.FromECDsa(_alice.PrivateKey), callerClock),
        SignerChain = _alice.Chain,
        TimeProvider = callerClock,
    });

    private CallVerifier Verifier()
    {
        var ring = new CalleeKeyRing();
        ring.Add(Bob, HpkePrivateKey.Import(_bobKey.Kem, _bobKey.Export()));
        var passports = new PassportVerifier(new StirCredentialResolver(new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _cps.Time })), null, _cps.Time);
        return new CallVerifier(_http, new StaticCallRouter(_http.BaseAddress!), ring, passports, new CallVerifierOptions { TimeProvider = _cps.Time });
    }
}
