using Stir.Encrypted.Certificates;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>Each rule of spec/protocol.md §10 "Verification" refuses exactly the records that break it, with its own verdict.</summary>
public sealed class KeyRecordVerifierTests : IDisposable
{
    private static readonly long T0 = KeyRecordPki.T0.ToUnixTimeSeconds();
    private readonly KeyRecordPki _pki = new();
    private readonly KeyRecordPki.Holder _carrier;

    public KeyRecordVerifierTests()
    {
        _carrier = _pki.Issue("carrier", "range:12025550000+10000", "one:12125550123");
    }

    [Fact]
    public void RecordAndRevocationOfACoveringTrustedHolder_AreValid()
    {
        var verifier = _pki.Verifier();

        var record = verifier.Verify(_carrier.Record("r1", 1, ["12025550123", "12125550123", "12025550000+10000"]));
        var revocation = verifier.Verify(_carrier.Revocation("r1", 2));

        Assert.True(record.IsValid, record.Reason);
        Assert.Equal(HpkeSuite.X25519Sha256ChaCha20Poly1305, record.Verified!.Suite);
        Assert.Equal(record.Record.PublicKey.ToArray(), record.Verified.PublicKey.Export());
        Assert.True(revocation.IsValid, revocation.Reason);
        Assert.Null(revocation.Verified);
    }

    [Fact]
    [Trait("Claim", "TM-23")]
    public void ChainToAnotherRoot_IsUntrustedChain()
    {
        var stranger = _pki.IssueUntrusted("stranger", "range:12025550000+10000");

        var verdict = _pki.Verifier().Verify(stranger.Record("r1", 1, ["12025550123"]));

        Assert.Equal(KeyRecordFailure.UntrustedChain, verdict.Failure);
        Assert.Equal(StirChainFailure.UntrustedRoot, verdict.ChainFailure);
        Assert.StartsWith("the signer's chain is not trusted: the chain ends at self-signed", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ChainWithoutItsIntermediate_IsUntrustedChain()
    {
        var eeOnly = $"{{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":[\"{Convert.ToBase64String(_carrier.Credential.Certificate.RawData)}\"]}}";
        var claims = System.Text.Encoding.UTF8.GetString(Decode(_carrier.Record("r1", 1, ["12025550123"]).Token.Split('.')[1]));

        var verdict = _pki.Verifier().Verify(_carrier.SignRaw(claims, eeOnly));

        Assert.Equal(KeyRecordFailure.UntrustedChain, verdict.Failure);
        Assert.Equal(StirChainFailure.MissingIntermediate, verdict.ChainFailure);
    }

    [Fact]
    public void ExpiredChain_IsUntrustedChain()
    {
        var shortLived = _pki.Issue("short", TimeSpan.FromDays(2), "one:12025550123");
        var record = shortLived.Record("r1", 1, ["12025550123"], days: 1);
        _pki.Time.Advance(TimeSpan.FromDays(3));

        var verdict = _pki.Verifier().Verify(record);

        Assert.Equal(KeyRecordFailure.UntrustedChain, verdict.Failure);
        Assert.Equal(StirChainFailure.Expired, verdict.ChainFailure);
    }

    [Fact]
    [Trait("Claim", "TM-23")]
    public void SignatureByAnotherKey_UnderTheHoldersChain_IsBadSignature()
    {
        var other = _pki.Issue("other", "range:12025550000+10000");
        var claims = System.Text.Encoding.UTF8.GetString(Decode(_carrier.Record("r1", 1, ["12025550123"]).Token.Split('.')[1]));

        var verdict = _pki.Verifier().Verify(other.SignRaw(claims, _carrier.HeaderJson));

        Assert.Equal(KeyRecordFailure.BadSignature, verdict.Failure);
        Assert.StartsWith("the ES256 signature does not verify under the key of CN=carrier (DEVELOPMENT)", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void IatBeyondTheSkew_IsIssuedInFuture_AndWithinItIsValid()
    {
        var verifier = _pki.Verifier();

        var ahead = verifier.Verify(_carrier.SignRaw(Claims(iat: T0 + 61)));
        var within = verifier.Verify(_carrier.SignRaw(Claims(iat: T0 + 60, nbf: T0)));

        Assert.Equal(KeyRecordFailure.IssuedInFuture, ahead.Failure);
        Assert.Equal($"\"iat\": {T0 + 61} is 1 min 1 s in the future (limit 1 min)", ahead.Reason);
        Assert.True(within.IsValid, within.Reason);
    }

    [Fact]
    public void NbfNotBeforeExp_IsBadValidity()
    {
        var verdict = _pki.Verifier().Verify(_carrier.SignRaw(Claims(nbf: T0 + 100, exp: T0 + 100)));

        Assert.Equal(KeyRecordFailure.BadValidity, verdict.Failure);
        Assert.Equal($"\"nbf\": {T0 + 100} is not before \"exp\": {T0 + 100}", verdict.Reason);
    }

    [Fact]
    public void ExpPassed_IsExpired()
    {
        var record = _carrier.Record("r1", 1, ["12025550123"], days: 1);
        _pki.Time.Advance(TimeSpan.FromDays(1));

        var verdict = _pki.Verifier().Verify(record);

        Assert.Equal(KeyRecordFailure.Expired, verdict.Failure);
        Assert.Equal($"\"exp\": {T0 + 86400} passed 0 s ago (2030-01-02T00:00:00Z)", verdict.Reason);
    }

    [Fact]
    public void NbfInTheFuture_IsNotYetValidForCallers_ButStorableForADirectory()
    {
        var token = _carrier.SignRaw(Claims(nbf: T0 + 3600, exp: T0 + 7200));

        var caller = _pki.Verifier().Verify(token);
        var directory = _pki.Verifier(new KeyRecordVerifierOptions { RequireCurrentlyValid = false }).Verify(token);

        Assert.Equal(KeyRecordFailure.NotYetValid, caller.Failure);
        Assert.True(directory.IsValid, directory.Reason);
    }

    [Fact]
    public void ExpAfterTheChainsNotAfter_IsExceedsCertificate()
    {
        var notAfter = _carrier.Credential.Certificate.NotAfter.ToUniversalTime();

        var verdict = _pki.Verifier().Verify(_carrier.Record("r1", 1, ["12025550123"], days: 91));

        Assert.Equal(KeyRecordFailure.ExceedsCertificate, verdict.Failure);
        Assert.Contains($"after the chain's earliest notAfter ({notAfter:yyyy-MM-dd'T'HH:mm:ss'Z'})", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidityLongerThanTheMaximum_IsValidityTooLong()
    {
        var verifier = _pki.Verifier(new KeyRecordVerifierOptions { MaxValidity = TimeSpan.FromDays(7) });

        var tooLong = verifier.Verify(_carrier.Record("r1", 1, ["12025550123"], days: 8));
        var atLimit = verifier.Verify(_carrier.Record("r1", 1, ["12025550123"], days: 7));

        Assert.Equal(KeyRecordFailure.ValidityTooLong, tooLong.Failure);
        Assert.Equal("\"exp\" − \"nbf\" is 8 days, longer than the allowed 7 days", tooLong.Reason);
        Assert.True(atLimit.IsValid, atLimit.Reason);
    }

    [Theory]
    [Trait("Claim", "TM-23")]
    [InlineData("12035550123", "\"tn\": 12035550123 is not covered by the TNAuthList: the one number listed is another; the range listed does not hold it")]
    [InlineData("12025559990+20", "\"tnr\": 12025559990+20 is not wholly covered by the signer's TNAuthList: range 12025559990+20 is not wholly inside the issuer's TNAuthList (range 12025550000+10000, one 12125550123)")]
    [InlineData("1202555012", "\"tn\": 1202555012 is not covered by the TNAuthList: the one number listed is another; the range listed does not hold it")]
    public void ANumberOrRangeOutsideTheTNAuthList_IsNotCovered(string outside, string reason)
    {
        var verdict = _pki.Verifier().Verify(_carrier.Record("r1", 1, ["12025550123", outside]));

        Assert.Equal(KeyRecordFailure.NotCovered, verdict.Failure);
        Assert.Equal(reason, verdict.Reason);
    }

    [Fact]
    public void SpcCertificate_CoversThroughTheOperatorsSpcAuthorizationOnly()
    {
        var spcHolder = _pki.Issue("spc-carrier", "spc:709J");
        var record = spcHolder.Record("r1", 1, ["12025550123", "12025550100+50"]);
        var authorization = SpcAuthorization.Parse("{\"spc\":{\"709J\":[\"12025550100+100\",\"12025550123\"]}}", "test");

        var without = _pki.Verifier().Verify(record);
        var with = _pki.Verifier(spc: authorization).Verify(record);

        Assert.Equal(KeyRecordFailure.NotCovered, without.Failure);
        Assert.True(with.IsValid, with.Reason);
    }

    [Fact]
    public void SuiteNotAccepted_IsUnsupportedSuite_UnlessConfigured()
    {
        using var p256 = HpkePrivateKey.Generate(HpkeKem.P256HkdfSha256);
        var token = _carrier.SignRaw(Claims(suite: "p256-sha256-aes128gcm", pk: StrictBase64.EncodeUrl(p256.PublicKey.Export())));

        var v1 = _pki.Verifier().Verify(token);
        var both = _pki.Verifier(new KeyRecordVerifierOptions { Suites = [HpkeSuite.X25519Sha256ChaCha20Poly1305, HpkeSuite.P256Sha256Aes128Gcm] }).Verify(token);

        Assert.Equal(KeyRecordFailure.UnsupportedSuite, v1.Failure);
        Assert.Equal("\"hpke.suite\": \"p256-sha256-aes128gcm\" is not accepted (accepted: x25519-sha256-chacha20poly1305)", v1.Reason);
        Assert.True(both.IsValid, both.Reason);
    }

    public static TheoryData<string, string> BadKeys() => new()
    {
        // RFC 7748 §6.1 / libsodium's blocklist: small-order X25519 points yield an all-zero shared secret.
        { "zero point", new string('0', 64) },
        { "order 1 (u = 1)", "01" + new string('0', 62) },
        { "order 8", "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800" },
        { "p - 1", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
        { "31 bytes", new string('1', 62) },
    };

    [Theory]
    [Trait("Claim", "TM-23")]
    [MemberData(nameof(BadKeys))]
    public void SmallOrderOrMisSizedKey_IsBadPublicKey(string name, string hex)
    {
        var token = _carrier.SignRaw(Claims(pk: StrictBase64.EncodeUrl(Convert.FromHexString(hex))));

        var verdict = _pki.Verifier().Verify(token);

        Assert.True(KeyRecordFailure.BadPublicKey == verdict.Failure, $"{name}: {verdict.Reason}");
        Assert.StartsWith("\"hpke.pk\": ", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedToken_IsMalformed_WithTheParsersMessage()
    {
        var verdict = _pki.Verifier().Verify("not-a-token");

        Assert.Equal(KeyRecordFailure.Malformed, verdict.Failure);
        Assert.Null(verdict.Record);
        Assert.Equal("key record \"token\": expected 3 segments (header.claims.signature) separated by '.', found 1", verdict.Reason);
    }

    public void Dispose() => _pki.Dispose();

    private static string Claims(long? iat = null, long? nbf = null, long? exp = null, string suite = "x25519-sha256-chacha20poly1305", string? pk = null)
    {
        pk ??= StrictBase64.EncodeUrl(KeyRecordPki.NewHpkeKey().Export());
        return $"{{\"exp\":{exp ?? T0 + 86400},\"hpke\":{{\"pk\":\"{pk}\",\"suite\":\"{suite}\"}},\"iat\":{iat ?? T0},\"nbf\":{nbf ?? T0},\"rid\":\"r1\",\"seq\":1,\"tn\":[\"12025550123\"]}}";
    }

    private static byte[] Decode(string segment) => StrictBase64.TryDecodeUrl(segment, out var bytes, out _) ? bytes : [];
}
