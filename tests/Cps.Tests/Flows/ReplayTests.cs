using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Flows;

/// <summary>
/// TM-09, TM-10: a PASSporT verifies one call. Tested where it can break: a replay at the last instant the PASSporT
/// still verifies (the consume-once memory must last the whole freshness window plus the future skew), and a
/// replay of its ECDSA twin, the same signed content with the signature respelled as (r, n − s), which verifies as
/// well and must still be recognised as the same PASSporT.
/// </summary>
public sealed class ReplayTests : IDisposable
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseE164("+12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");

    // The order n of P-256 (SEC 2 §2.4.2): an ES256 signature (r, s) and (r, n − s) both verify.
    private static readonly BigInteger P256Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);

    private readonly CpsFactory _cps = new(settings: new Dictionary<string, string?> { ["Cps:Classes:0:Size"] = "8192", ["Cps:Classes:0:Slots"] = "8", ["Cps:Limits:MaxBlobsPerStore"] = "4" });
    private readonly HttpClient _http;
    private readonly DevelopmentPki _pki;
    private readonly DevelopmentCredential _aliceCarrier;
    private readonly HpkePrivateKey _bobKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

    public ReplayTests()
    {
        _http = _cps.CreateClient();
        _pki = DevelopmentPki.Create(_cps.Time);
        _aliceCarrier = _pki.IssueEndEntity("alice-carrier", new TNAuthList([new TNEntry.One(Alice)]), TimeSpan.FromDays(30));
    }

    public void Dispose()
    {
        _http.Dispose();
        _cps.Dispose();
        foreach (var d in new IDisposable[] { _aliceCarrier, _pki, _bobKey })
        {
            d.Dispose();
        }
    }

    [Fact]
    [Trait("Claim", "TM-09")]
    [Trait("Claim", "TM-10")]
    public async Task TheEcdsaTwinOfAUsedPassport_Verifies_ButIsFlaggedAsTheSamePassport()
    {
        var passport = Sign(_cps.Time);
        var twin = HighSTwin(passport);
        Assert.NotEqual(passport, twin);
        Assert.True(Passport.TryParse(twin, out _, out var error), error?.Message); // a well-formed token, not a broken one

        var verifier = Verifier();
        Assert.Equal(Verstat.TnValidationPassed, (await StoreThenVerifyAsync(verifier, passport)).Verstat);
        var replay = await StoreThenVerifyAsync(verifier, twin);

        // The twin's signature verifies (the verdict names the replay, not a bad signature)...
        Assert.Equal(Verstat.TnValidationFailed, replay.Verstat);
        Assert.True(replay.Suspicious, replay.Reason);
        Assert.Contains("already verified another call", replay.Reason, StringComparison.Ordinal);
        // ...and alone, on a verifier that never saw the original, it passes: it is a valid PASSporT.
        Assert.Equal(Verstat.TnValidationPassed, (await Verifier().VerifyAsync(Alice, Bob, CancellationToken.None)).Verstat);
    }

    [Fact]
    [Trait("Claim", "TM-09")]
    public async Task ReplayAtTheLastInstantThePassportVerifies_IsFlagged_AndJustAfterItIsStale()
    {
        // Signed by a carrier whose clock is the tolerated 5 s ahead: the PASSporT verifies from its first use until
        // 65 s later (60 s freshness + 5 s), which the consume-once memory must span.
        var ahead = new FakeTimeProvider(_cps.Time.GetUtcNow() + TimeSpan.FromSeconds(5));
        var passport = Sign(ahead);
        var verifier = Verifier();
        Assert.Equal(Verstat.TnValidationPassed, (await StoreThenVerifyAsync(verifier, passport)).Verstat);

        _cps.Time.Advance(TimeSpan.FromSeconds(64.9));
        var atTheEdge = await StoreThenVerifyAsync(verifier, passport);
        Assert.True(atTheEdge.Suspicious, $"{atTheEdge.Verstat}: {atTheEdge.Reason}");

        _cps.Time.Advance(TimeSpan.FromSeconds(1.2));
        var after = await StoreThenVerifyAsync(verifier, passport);
        Assert.Equal(Verstat.TnValidationFailed, after.Verstat);
        Assert.False(after.Suspicious);
        Assert.Contains("stale", after.Reason, StringComparison.OrdinalIgnoreCase);
    }

    private string Sign(TimeProvider clock)
    {
        var signer = new PassportSigner(PassportSigningKey.FromECDsa(_aliceCarrier.PrivateKey), clock);
        return new PassportBuilder().WithX5c(_aliceCarrier.Chain).WithOrig(Alice).AddDest(Bob).WithShaken("A", Guid.NewGuid()).Sign(signer).Token;
    }

    private CallVerifier Verifier()
    {
        var keys = new CalleeKeyRing();
        keys.Add(Bob, _bobKey);
        var passports = new PassportVerifier(new StirCredentialResolver(new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _cps.Time })), null, _cps.Time);
        return new CallVerifier(_http, new StaticCallRouter(_http.BaseAddress!), keys, passports, new CallVerifierOptions { TimeProvider = _cps.Time });
    }

    // A gateway (or an attacker holding the PASSporT) stores it for the call; then the callee verifies.
    private async Task<CallVerdict> StoreThenVerifyAsync(CallVerifier verifier, string passport)
    {
        var placer = new CallPlacer(_http, new StaticCallRouter(_http.BaseAddress!), new FixedKeyHolders([_bobKey.PublicKey]), new CallPlacerOptions { TimeProvider = _cps.Time });
        var report = await placer.StoreAsync(Alice, Bob, [passport], CancellationToken.None);
        Assert.True(report.Stored, report.Detail);
        return await verifier.VerifyAsync(Alice, Bob, CancellationToken.None);
    }

    // (r, s) → (r, n − s), written back as the 64-byte P1363 signature in base64url.
    private static string HighSTwin(string token)
    {
        var dot = token.LastIndexOf('.');
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        Assert.Equal(64, signature.Length);
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var twin = (byte[])signature.Clone();
        var flipped = (P256Order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(twin, 32, 32);
        flipped.CopyTo(twin, 64 - flipped.Length);
        return token[..(dot + 1)] + System.Buffers.Text.Base64Url.EncodeToString(twin);
    }
}
