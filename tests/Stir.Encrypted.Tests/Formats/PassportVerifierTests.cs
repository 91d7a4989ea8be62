using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using static Stir.Encrypted.Tests.Formats.PassportTestKit;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>One PASSporT through <see cref="PassportVerifier"/>: each rule, its boundaries and its message.</summary>
public sealed class PassportVerifierTests
{
    [Fact]
    public async Task Valid_SaysWhoSignedAndHowOld()
    {
        using var rig = new Rig();
        var token = Basic().WithIat(Now - 3).Sign(rig.Signer).Token;

        var verdict = await rig.VerifyAsync(token, Dest);

        Assert.True(verdict.IsValid);
        Assert.Equal(PassportRule.None, verdict.Rule);
        Assert.Equal("test signer", verdict.Signer);
        Assert.Equal("signed by test signer; iat 1799999997 is 3 s old; \"orig\" tn 12025550123 is within its authority", verdict.Message);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(60, true)]
    [InlineData(61, false)]
    [InlineData(3600, false)]
    public async Task Freshness_ExactlySixtySecondsIsFresh_SixtyOneIsStale(long age, bool valid)
    {
        using var rig = new Rig();
        var token = Basic().WithIat(Now - age).Sign(rig.Signer).Token;

        var verdict = await rig.VerifyAsync(token);

        Assert.Equal(valid, verdict.IsValid);
        if (!valid)
        {
            Assert.Equal(PassportRule.Stale, verdict.Rule);
            Assert.Equal($"\"iat\" {Now - age} is stale by {age} s (limit 60 s)", verdict.Message);
        }
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(6, false)]
    [InlineData(71, false)]
    [Trait("Claim", "TM-14")]
    public async Task FutureSkew_FiveSecondsAheadIsAccepted_SixIsNot(long ahead, bool valid)
    {
        using var rig = new Rig();
        var token = Basic().WithIat(Now + ahead).Sign(rig.Signer).Token;

        var verdict = await rig.VerifyAsync(token);

        Assert.Equal(valid, verdict.IsValid);
        if (!valid)
        {
            Assert.Equal(PassportRule.IssuedInFuture, verdict.Rule);
            Assert.Equal($"\"iat\" {Now + ahead} is {ahead} s in the future (limit 5 s)", verdict.Message);
        }
    }

    [Fact]
    public async Task Freshness_SubSecondClock_IsJudgedInWholeSeconds()
    {
        using var rig = new Rig();
        var token = Basic().WithIat(Now - 60).Sign(rig.Signer).Token;
        rig.Clock.Advance(TimeSpan.FromMilliseconds(999));

        Assert.True((await rig.VerifyAsync(token)).IsValid);
        rig.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(PassportRule.Stale, (await rig.VerifyAsync(token)).Rule);
    }

    [Fact]
    public async Task Freshness_IsConfigurable()
    {
        using var rig = new Rig(options: new PassportVerifierOptions { Freshness = TimeSpan.FromSeconds(10), FutureSkew = TimeSpan.Zero });

        Assert.Equal("\"iat\" 1799999989 is stale by 11 s (limit 10 s)", (await rig.VerifyAsync(Basic().WithIat(Now - 11).Sign(rig.Signer).Token)).Message);
        Assert.Equal("\"iat\" 1800000001 is 1 s in the future (limit 0 s)", (await rig.VerifyAsync(Basic().WithIat(Now + 1).Sign(rig.Signer).Token)).Message);
    }

    [Fact]
    public async Task OtherKey_SignatureInvalid()
    {
        using var rig = new Rig();
        using var other = PassportSigningKey.Generate();
        var token = Basic().Sign(new PassportSigner(other, rig.Clock)).Token;

        var verdict = await rig.VerifyAsync(token);

        Assert.Equal(PassportRule.SignatureInvalid, verdict.Rule);
        Assert.Equal("the ES256 signature does not verify under the key of test signer", verdict.Message);
    }

    [Fact]
    public async Task StaleAndBadlySigned_ReportsTheSignatureFirst()
    {
        using var rig = new Rig();
        using var other = PassportSigningKey.Generate();

        var verdict = await rig.VerifyAsync(Basic().WithIat(Now - 1000).Sign(new PassportSigner(other)).Token);

        Assert.Equal(PassportRule.SignatureInvalid, verdict.Rule);
    }

    [Fact]
    public async Task OrigOutsideTheCredential_OrigNotCovered()
    {
        using var rig = new Rig(covered: [TelephoneNumber.ParseCanonical("12025550100")]);

        var verdict = await rig.VerifyAsync(Basic().Sign(rig.Signer).Token);

        Assert.Equal(PassportRule.OrigNotCovered, verdict.Rule);
        Assert.Equal("test signer has no authority over \"orig\" tn 12025550123: test signer is configured for 1 number(s), and 12025550123 is not one of them", verdict.Message);
    }

    [Fact]
    public async Task UriOrig_IsNoTnValidation()
    {
        using var rig = new Rig();
        var token = Basic().WithOrig(PassportIdentity.FromUri("sip:alice@example.com")).Sign(rig.Signer).Token;

        var verdict = await rig.VerifyAsync(token);

        Assert.Equal(PassportRule.NoTnValidation, verdict.Rule);
        Assert.Contains("\"orig\" is the URI \"sip:alice@example.com\"", verdict.Message, StringComparison.Ordinal);
        Assert.Contains("No-TN-Validation", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CalledNumberNotInDest_DestMismatch()
    {
        using var rig = new Rig();

        var verdict = await rig.VerifyAsync(Basic().Sign(rig.Signer).Token, TelephoneNumber.ParseCanonical("12025550100"));

        Assert.Equal(PassportRule.DestMismatch, verdict.Rule);
        Assert.Equal("\"dest\" (tn 12025550199) does not contain the called number 12025550100", verdict.Message);
    }

    [Fact]
    public async Task PptOutsideThePolicy_PptNotAllowed()
    {
        using var rig = new Rig(options: new PassportVerifierOptions { AllowedPpts = new HashSet<string> { PassportTypes.Shaken } });

        var verdict = await rig.VerifyAsync(Basic().Sign(rig.Signer).Token);

        Assert.Equal(PassportRule.PptNotAllowed, verdict.Rule);
        Assert.Equal("ppt none is not allowed by this verifier (allowed: \"shaken\")", verdict.Message);
        Assert.True((await rig.VerifyAsync(Basic().WithShaken("B", Guid.NewGuid()).Sign(rig.Signer).Token)).IsValid);
    }

    [Fact]
    public async Task KeyReferencePolicy_X5uRequired_RefusesX5cOnly()
    {
        using var rig = new Rig(options: new PassportVerifierOptions { KeyReference = PassportKeyReference.X5uRequired });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=sp", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.FromUnixTimeSeconds(Now), DateTimeOffset.FromUnixTimeSeconds(Now).AddDays(1));
        var token = new PassportBuilder().WithX5c([certificate]).WithOrig(Orig).AddDest(Dest).Sign(rig.Signer).Token;

        var verdict = await rig.VerifyAsync(token);

        Assert.Equal(PassportRule.KeyReferencePolicy, verdict.Rule);
        Assert.Equal("the header has no \"x5u\" (it carries \"x5c\" with 1 certificate(s)); this verifier requires x5u", verdict.Message);
    }

    [Fact]
    public async Task ResolverFailure_CredentialUnavailable()
    {
        using var rig = new Rig();
        var verifier = new PassportVerifier(new FailingResolver(), timeProvider: rig.Clock);

        var verdict = await verifier.VerifyAsync(Basic().Sign(rig.Signer).Token, null, CancellationToken.None);

        Assert.Equal(PassportRule.CredentialUnavailable, verdict.Rule);
        Assert.Equal("the signer's credential (https://cert.example.net/sp.pem) is unavailable: x5u answered 404", verdict.Message);
    }

    [Fact]
    public async Task ResolverWithAP384Key_CredentialUnavailable()
    {
        using var rig = new Rig();
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var verifier = new PassportVerifier(new FixedResolver(p384), timeProvider: rig.Clock);

        var verdict = await verifier.VerifyAsync(Basic().Sign(rig.Signer).Token, null, CancellationToken.None);

        Assert.Equal(PassportRule.CredentialUnavailable, verdict.Rule);
        Assert.Contains("not P-256", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolverWithABrainpoolP256Key_CredentialUnavailable()
    {
        // A 256-bit key on another curve: only the curve check, not the key size, tells it from P-256.
        using var rig = new Rig();
        using var brainpool = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);
        var verifier = new PassportVerifier(new FixedResolver(brainpool), timeProvider: rig.Clock);

        var verdict = await verifier.VerifyAsync(Basic().Sign(rig.Signer).Token, null, CancellationToken.None);

        Assert.Equal(PassportRule.CredentialUnavailable, verdict.Rule);
        Assert.Contains("not P-256", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifySignature_WithAKeyOnAnotherCurve_IsMisuse()
    {
        using var rig = new Rig();
        var passport = Basic().Sign(rig.Signer);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var brainpool = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);

        Assert.Throws<ArgumentException>(() => passport.VerifySignature(p384));
        Assert.Throws<ArgumentException>(() => passport.VerifySignature(brainpool));
    }

    [Fact]
    public async Task MalformedToken_IsAVerdictWithTheFormatError()
    {
        using var rig = new Rig();

        var verdict = await rig.VerifyAsync(Craft("{\"alg\":\"none\",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims));

        Assert.Equal(PassportRule.Malformed, verdict.Rule);
        Assert.Equal("alg", verdict.FormatError!.Field);
        Assert.Null(verdict.Passport);
    }

    [Fact]
    public async Task NonCanonicalButValidlySigned_IsAccepted()
    {
        // What JOSE libraries produce: members in insertion order. The signature covers these bytes.
        using var rig = new Rig();
        var header = "{\"typ\":\"passport\",\"alg\":\"ES256\",\"x5u\":\"https://cert.example.net/sp.pem\"}";
        var claims = "{\"orig\":{\"tn\":\"12025550123\"},\"dest\":{\"tn\":[\"12025550199\"]},\"iat\":1800000000}";
        var signingInput = $"{B64(header)}.{B64(claims)}";
        using var privateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = privateKey.SignData(System.Text.Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        using var resolver = new StaticKeyCredentialResolver(privateKey);
        var verifier = new PassportVerifier(resolver, timeProvider: rig.Clock);

        var verdict = await verifier.VerifyAsync($"{signingInput}.{B64(signature)}", Dest, CancellationToken.None);

        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.False(verdict.Passport!.IsHeaderCanonical);
        Assert.False(verdict.Passport.AreClaimsCanonical);
    }

    [Fact]
    public async Task CompactForm_RebuiltFromSignaling_Verifies()
    {
        using var rig = new Rig();
        var passport = Basic().WithShaken("A", Guid.Parse("123e4567-e89b-12d3-a456-426655440000")).Sign(rig.Signer);
        var identity = SipIdentityHeader.Parse(passport.ToIdentityHeader(compact: true));
        Assert.True(identity.IsCompactForm);

        // What a SIP verifier knows: info, ppt, From, To, Date (and the SHAKEN claims from elsewhere).
        var header = new PassportHeader(identity.Info, ppt: identity.Ppt);
        var claims = Basic().WithIat(Now).WithShaken("A", Guid.Parse("123e4567-e89b-12d3-a456-426655440000")).BuildClaims(rig.Clock);
        var rebuilt = Passport.FromCompactForm(identity.Token, header, claims);

        Assert.Equal(passport.Token, rebuilt.Token);
        Assert.True((await rig.Verifier.VerifyAsync(rebuilt, Dest, CancellationToken.None)).IsValid);

        // The compact form alone is not verifiable: it is refused as malformed, with the way forward.
        var verdict = await rig.VerifyAsync(passport.ToIdentityHeader(compact: true));
        Assert.Equal(PassportRule.Malformed, verdict.Rule);
        Assert.Contains("Passport.FromCompactForm", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompactForm_RebuiltWithOtherClaims_FailsTheSignature()
    {
        using var rig = new Rig();
        var passport = Basic().Sign(rig.Signer);

        var rebuilt = Passport.FromCompactForm(passport.CompactForm, passport.Header, Basic().WithIat(Now - 1).BuildClaims(rig.Clock));

        Assert.Equal(PassportRule.SignatureInvalid, (await rig.Verifier.VerifyAsync(rebuilt, null, CancellationToken.None)).Rule);
    }

    [Fact]
    public async Task IdentityHeader_InfoDiffersFromX5u_IsAMismatch()
    {
        using var rig = new Rig();
        var passport = Basic().Sign(rig.Signer);

        var verdict = await rig.VerifyAsync($"{passport.Token};info=<https://other.example/c.pem>;alg=ES256");

        Assert.Equal(PassportRule.IdentityHeaderMismatch, verdict.Rule);
        Assert.Equal("info <https://other.example/c.pem> differs from the header's x5u \"https://cert.example.net/sp.pem\" (RFC 8224 §4.1)", verdict.Message);
    }

    [Fact]
    public async Task IdentityHeader_PptDiffersFromTheHeader_IsAMismatch()
    {
        using var rig = new Rig();
        var passport = Basic().WithShaken("A", Guid.NewGuid()).Sign(rig.Signer);

        Assert.True((await rig.VerifyAsync(passport.ToIdentityHeader())).IsValid);
        Assert.True((await rig.VerifyAsync($"{passport.Token};info=<{X5u}>;alg=ES256;ppt=shaken")).IsValid);
        Assert.Equal(PassportRule.IdentityHeaderMismatch, (await rig.VerifyAsync($"{passport.Token};info=<{X5u}>")).Rule);
        Assert.Equal(PassportRule.IdentityHeaderMismatch, (await rig.VerifyAsync($"{passport.Token};info=<{X5u}>;ppt=\"div\"")).Rule);
        Assert.Equal(PassportRule.IdentityHeaderMismatch, (await rig.VerifyAsync($"{passport.Token};info=<{X5u}>;alg=ES384;ppt=shaken")).Rule);
    }

    [Fact]
    public async Task DivSignerWithoutAuthorityOverDiv_DivNotCovered()
    {
        // RFC 8946 §3: a div PASSporT is signed with authority over div, not over orig.
        var divertedFrom = TelephoneNumber.ParseCanonical("12025550100");
        using var rig = new Rig(covered: [divertedFrom]);
        var covered = Basic().WithDiv(PassportIdentity.FromTn(divertedFrom)).Sign(rig.Signer);
        var notCovered = Basic().WithDiv(PassportIdentity.FromTn(Dest)).Sign(rig.Signer);

        Assert.True((await rig.VerifyAsync(covered.Token)).IsValid);
        var verdict = await rig.VerifyAsync(notCovered.Token);
        Assert.Equal(PassportRule.DivNotCovered, verdict.Rule);
        Assert.StartsWith("test signer has no authority over \"div\" tn 12025550199", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_RefuseNonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PassportVerifierOptions { Freshness = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PassportVerifierOptions { FutureSkew = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentException>(() => new PassportVerifierOptions { AllowedPpts = new HashSet<string> { "rph" } });
        Assert.Throws<ArgumentException>(() => new PassportVerifierOptions { AllowedPpts = new HashSet<string>() });
    }

    [Fact]
    public void SigningKey_ToString_ShowsNoKeyMaterial()
    {
        using var source = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = source.ExportParameters(includePrivateParameters: true);
        using var key = PassportSigningKey.FromECDsa(source);

        var text = key.ToString();

        Assert.Equal("PassportSigningKey(ES256, P-256)", text);
        foreach (var secret in new[] { Convert.ToBase64String(parameters.D!), Convert.ToHexString(parameters.D!), Convert.ToHexString(parameters.D!).ToLowerInvariant() })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SigningKey_FromPemWithPublicKeyOrOtherCurve_IsAFormatError()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Throws<FormatException>(() => PassportSigningKey.FromPem(p384.ExportPkcs8PrivateKeyPem()));
        Assert.Throws<FormatException>(() => PassportSigningKey.FromPem(p256.ExportSubjectPublicKeyInfoPem()));
        Assert.Throws<FormatException>(() => PassportSigningKey.FromPem("not a key"));
        using var ok = PassportSigningKey.FromPem(p256.ExportPkcs8PrivateKeyPem());
    }

    private sealed class FailingResolver : IPassportCredentialResolver
    {
        public ValueTask<PassportCredentialResult> ResolveAsync(PassportHeader header, CancellationToken cancellationToken)
            => ValueTask.FromResult(PassportCredentialResult.Failure("x5u answered 404"));
    }

    private sealed class FixedResolver(ECDsa key) : IPassportCredentialResolver, IPassportCredential
    {
        public ECDsa PublicKey => key;

        public string Subject => "fixed";

        public bool Covers(TelephoneNumber tn, [NotNullWhen(false)] out string? reason)
        {
            reason = null;
            return true;
        }

        public ValueTask<PassportCredentialResult> ResolveAsync(PassportHeader header, CancellationToken cancellationToken)
            => ValueTask.FromResult(PassportCredentialResult.Success(this));
    }
}
