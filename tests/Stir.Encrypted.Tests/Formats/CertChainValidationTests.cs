using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Certificates;
using static Stir.Encrypted.Tests.Formats.CertTestPki;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// <see cref="StirChainValidator"/> on development PKI chains: valid paths, every failure kind with its
/// message, tampering, RFC 9060 delegation along the whole chain, and RFC 9118 claim constraints.
/// </summary>
public sealed class CertChainValidationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(T0);
    private readonly DevelopmentPki _pki;
    private readonly DevelopmentCredential _sp;

    public CertChainValidationTests()
    {
        _pki = DevelopmentPki.Create(_time);
        _sp = _pki.IssueEndEntity("sp", List("spc:709J", "range:12025550100+100"), TimeSpan.FromDays(90));
    }

    public void Dispose()
    {
        _sp.Dispose();
        _pki.Dispose();
    }

    [Fact]
    public void ChainWithoutRoot_Validates_AndExposesWhatAVerifierNeeds()
    {
        var result = Validator().Validate(_sp.Chain);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(StirChainFailure.None, result.Failure);
        var certificate = result.Certificate;
        Assert.Same(_sp.Chain[0], certificate.EndEntity);
        Assert.Equal([_sp.Certificate.Thumbprint, _pki.Intermediate.Certificate.Thumbprint, _pki.Root.Certificate.Thumbprint], certificate.Path.Select(c => c.Thumbprint));
        Assert.Equal(List("spc:709J", "range:12025550100+100"), certificate.TNAuthList);
        Assert.Null(certificate.TNAuthListError);
        Assert.Null(certificate.ClaimConstraints);
        Assert.Equal(T0 + TimeSpan.FromDays(90), certificate.NotAfter);
        Assert.True(certificate.Covers(Tn("12025550150"), out var reason));
        Assert.Equal("covered by TNAuthList entry range 12025550100+100", reason);
        Assert.False(certificate.Covers(Tn("12025550250"), out _));
        Assert.StartsWith("valid: the end-entity certificate 'CN=sp (DEVELOPMENT), O=Stir.Encrypted development PKI - NOT FOR PRODUCTION, C=US'", result.Reason, StringComparison.Ordinal);

        var data = "passport"u8.ToArray();
        var signature = _sp.PrivateKey.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        using var key = certificate.CreatePublicKey();
        Assert.True(key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void ChainIncludingRoot_Validates()
    {
        Assert.True(Validator().Validate([.. _sp.Chain, _pki.Root.Certificate]).IsValid);
    }

    [Fact]
    public void Expired_SaysWhichCertificateAndByHowMuch()
    {
        _time.Advance(TimeSpan.FromDays(91) + TimeSpan.FromHours(3));

        var result = Validator().Validate(_sp.Chain);

        Assert.Equal(StirChainFailure.Expired, result.Failure);
        Assert.Contains("The end-entity certificate", result.Reason, StringComparison.Ordinal);
        Assert.Contains("CN=sp (DEVELOPMENT), O=Stir.Encrypted development PKI - NOT FOR PRODUCTION, C=US' expired 1 day 3 h ago (notAfter 2026-04-01T00:00:00Z)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NotYetValid_SaysWhenItBecomesValid()
    {
        var early = new FakeTimeProvider(T0 - TimeSpan.FromHours(1));

        var result = Validator(time: early).Validate(_sp.Chain);

        Assert.Equal(StirChainFailure.NotYetValid, result.Failure);
        Assert.Contains("is not valid yet: valid from 2025-12-31T23:55:00Z, in 55 min", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherPkisRoot_IsNotTrusted()
    {
        using var other = DevelopmentPki.Create(_time);
        var validator = new StirChainValidator([other.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _time });

        var withRoot = validator.Validate([.. _sp.Chain, _pki.Root.Certificate]);
        var withoutRoot = validator.Validate(_sp.Chain);

        Assert.Equal(StirChainFailure.UntrustedRoot, withRoot.Failure);
        Assert.Contains("the chain ends at self-signed", withRoot.Reason, StringComparison.Ordinal);
        Assert.Contains("C=US', which is not a configured trust anchor", withRoot.Reason, StringComparison.Ordinal);
        Assert.Equal(StirChainFailure.MissingIntermediate, withoutRoot.Failure);
    }

    [Fact]
    public void MissingIntermediate_NamesTheOrphanAndItsIssuer()
    {
        var result = Validator().Validate([_sp.Certificate]);

        Assert.Equal(StirChainFailure.MissingIntermediate, result.Failure);
        Assert.Contains("no issuer certificate found for the end-entity certificate", result.Reason, StringComparison.Ordinal);
        Assert.Contains("issued by 'CN=Stir.Encrypted DEVELOPMENT Intermediate CA, O=Stir.Encrypted development PKI - NOT FOR PRODUCTION, C=US'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FlipAnyByteOfTheTbsOrSignature_ChainValidationFails()
    {
        var der = _sp.Certificate.RawData;
        var (tbsStart, tbsEnd, signatureStart) = Layout(der);
        var badSignature = 0;
        var tested = 0;
        var validator = Validator();
        foreach (var position in Enumerable.Range(tbsStart, tbsEnd - tbsStart).Concat(Enumerable.Range(signatureStart, der.Length - signatureStart)))
        {
            var tampered = (byte[])der.Clone();
            tampered[position] ^= 0x01;
            X509Certificate2 certificate;
            try
            {
                certificate = CertificateChain.ParseDer(tampered);
            }
            catch (CertificateFormatException)
            {
                continue; // rejected before validation: a fail too
            }

            using (certificate)
            {
                var result = validator.Validate([certificate, _pki.Intermediate.Certificate]);
                Assert.False(result.IsValid, $"flipping byte {position} left the chain valid");
                badSignature += result.Failure == StirChainFailure.BadSignature ? 1 : 0;
                tested++;
            }
        }

        Assert.True(tested > 300, $"only {tested} tampered certificates parsed");
        Assert.True(badSignature > tested / 2, $"{badSignature} of {tested} were reported as bad signatures");
    }

    [Fact]
    public void BadSignature_IsReportedAsSuch()
    {
        var der = _sp.Certificate.RawData;
        der[Layout(der).TbsEnd - 1] ^= 0x01; // last byte of the TBS: inside the extensions

        using var tampered = CertificateChain.ParseDer(der);
        var result = Validator().Validate([tampered, _pki.Intermediate.Certificate]);

        Assert.Equal(StirChainFailure.BadSignature, result.Failure);
        Assert.Contains("the signature of the end-entity certificate", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EndEntityWithP384Key_IsRejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var certificate = Custom(new CertificateRequest("CN=p384", key, HashAlgorithmName.SHA384), withList: true);

        var result = Validator().Validate([certificate, _pki.Intermediate.Certificate]);

        Assert.Equal(StirChainFailure.KeyNotP256, result.Failure);
        Assert.Contains("not ECDSA P-256 (ES256, RFC 8226 §4)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EndEntityWithRsaKey_IsRejected()
    {
        using var key = RSA.Create(2048);
        using var certificate = Custom(new CertificateRequest("CN=rsa", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), withList: true);

        var result = Validator().Validate([certificate, _pki.Intermediate.Certificate]);

        Assert.Equal(StirChainFailure.KeyNotP256, result.Failure);
        Assert.Contains("RSA", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CaCertificate_CannotSign()
    {
        using var delegateCa = _pki.Intermediate.IssueDelegateCa("ca", List("range:12025550100+100"), TimeSpan.FromDays(30));

        var result = Validator().Validate(delegateCa.Chain);

        Assert.Equal(StirChainFailure.NotEndEntity, result.Failure);
        Assert.Contains("is a CA certificate (basicConstraints cA=true)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyUsageWithoutDigitalSignature_CannotSign()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=agree", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyAgreement, critical: true));
        using var certificate = Custom(request, withList: true);

        var result = Validator().Validate([certificate, _pki.Intermediate.Certificate]);

        Assert.Equal(StirChainFailure.NotEndEntity, result.Failure);
        Assert.Contains("does not include digitalSignature", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EndEntityWithoutTNAuthList_IsRejected_OrCoversNothingWhenAllowed()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = Custom(new CertificateRequest("CN=nolist", key, HashAlgorithmName.SHA256), withList: false);

        var strict = Validator().Validate([certificate, _pki.Intermediate.Certificate]);
        var lenient = Validator(requireTNAuthList: false).Validate([certificate, _pki.Intermediate.Certificate]);

        Assert.Equal(StirChainFailure.TNAuthListMissing, strict.Failure);
        Assert.Contains("authorizes no number: it has no TNAuthList extension", strict.Reason, StringComparison.Ordinal);
        Assert.True(lenient.IsValid, lenient.Reason);
        Assert.False(lenient.Certificate.Covers(Tn("12025550150"), out var reason));
        Assert.Contains("no TNAuthList extension", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EndEntityWithUndecodableTNAuthList_CoversNothing()
    {
        using var ee = _pki.Intermediate.Issue(DevelopmentPki.Subject("bad list"), TimeSpan.FromDays(1), false, null, [new X509Extension(TNAuthList.Oid, Convert.FromHexString("3000"), false)]);

        var strict = Validator().Validate(ee.Chain);
        var lenient = Validator(requireTNAuthList: false).Validate(ee.Chain);

        Assert.Equal(StirChainFailure.TNAuthListMalformed, strict.Failure);
        Assert.Contains("SEQUENCE SIZE (1..MAX) violated (empty)", strict.Reason, StringComparison.Ordinal);
        Assert.True(lenient.IsValid);
        Assert.Null(lenient.Certificate.TNAuthList);
        Assert.False(lenient.Certificate.Covers(Tn("12025550150"), out _));
    }

    [Fact]
    public void DelegateCa_EncompassingItsEndEntity_Validates()
    {
        using var enterprise = _pki.Intermediate.IssueDelegateCa("enterprise", List("range:12125551000+1000"), TimeSpan.FromDays(30));
        using var phone = enterprise.IssueEndEntity("phone", List("range:12125551500+100", "one:12125551824"), TimeSpan.FromDays(7));

        var result = Validator().Validate(phone.Chain);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(4, result.Certificate.Path.Count);
        Assert.True(result.Certificate.Covers(Tn("12125551824"), out _));
    }

    [Theory]
    [InlineData("one:12125552000", "one 12125552000 is outside the issuer's TNAuthList (range 12125551000+1000)")]
    [InlineData("range:12125551950+51", "range 12125551950+51 is not wholly inside the issuer's TNAuthList")]
    [InlineData("spc:709J", "spc '709J' is not in the issuer's TNAuthList (an SPC is encompassed only by the same SPC)")]
    public void DelegateCa_NotEncompassingItsEndEntity_IsRejected(string entry, string reason)
    {
        using var enterprise = _pki.Intermediate.IssueDelegateCa("enterprise", List("range:12125551000+1000"), TimeSpan.FromDays(30));
        using var phone = enterprise.IssueEndEntity("phone", List(entry), TimeSpan.FromDays(7));

        var result = Validator().Validate(phone.Chain);

        Assert.Equal(StirChainFailure.DelegationNotEncompassed, result.Failure);
        Assert.Contains("RFC 9060 §4: the TNAuthList of the end-entity certificate", result.Reason, StringComparison.Ordinal);
        Assert.Contains("is not encompassed by that of the issuing CA", result.Reason, StringComparison.Ordinal);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SpcDelegateCa_DelegatesNumbersOnlyThroughTheSpcAuthorization()
    {
        using var carrier = _pki.Intermediate.IssueDelegateCa("carrier", List("spc:709J"), TimeSpan.FromDays(30));
        using var phone = carrier.IssueEndEntity("phone", List("one:12025550150"), TimeSpan.FromDays(7));
        var authorization = SpcAuthorization.Parse("""{"spc":{"709J":["12025550100+100"]}}""", "auth.json");

        var without = Validator().Validate(phone.Chain);
        var with = Validator(spcAuthorization: authorization).Validate(phone.Chain);

        Assert.Equal(StirChainFailure.DelegationNotEncompassed, without.Failure);
        Assert.Contains("none is configured", without.Reason, StringComparison.Ordinal);
        Assert.True(with.IsValid, with.Reason);
    }

    [Fact]
    public void Delegation_IsCheckedAlongTheWholeChain()
    {
        // intermediate → A (range 1000..1999) → B (range 1500..1599, or 2000..2099) → end entity.
        using var a = _pki.Intermediate.Issue(DevelopmentPki.Subject("A"), TimeSpan.FromDays(30), isCa: true, pathLength: 1, [List("range:12125551000+1000").ToExtension()]);
        using var inside = a.IssueDelegateCa("B-inside", List("range:12125551500+100"), TimeSpan.FromDays(30));
        using var outside = a.IssueDelegateCa("B-outside", List("range:12125552000+100"), TimeSpan.FromDays(30));
        using var good = inside.IssueEndEntity("good", List("one:12125551550"), TimeSpan.FromDays(7));
        using var bad = outside.IssueEndEntity("bad", List("one:12125552050"), TimeSpan.FromDays(7));

        var ok = Validator().Validate(good.Chain);
        var rejected = Validator().Validate(bad.Chain);

        Assert.True(ok.IsValid, ok.Reason);
        Assert.Equal(5, ok.Certificate.Path.Count);
        Assert.Equal(StirChainFailure.DelegationNotEncompassed, rejected.Failure);

        // The end entity is inside B-outside, and fails against A, the issuer above it.
        Assert.Contains("the TNAuthList of the end-entity certificate", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("CN=A, O=", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void IssuerWithUndecodableTNAuthList_RejectsTheChain()
    {
        using var broken = _pki.Intermediate.Issue(DevelopmentPki.Subject("broken"), TimeSpan.FromDays(30), isCa: true, pathLength: 0, [new X509Extension(TNAuthList.Oid, Convert.FromHexString("16036e2f61"), false)]);
        using var phone = broken.IssueEndEntity("phone", List("one:12025550150"), TimeSpan.FromDays(7));

        var result = Validator().Validate(phone.Chain);

        Assert.Equal(StirChainFailure.TNAuthListMalformed, result.Failure);
        Assert.Contains("does not decode, so no certificate below it is within a known scope", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EnhancedClaimConstraints_AreExposed()
    {
        using var ee = _pki.Intermediate.IssueEndEntity("constrained", List("spc:709J"), TimeSpan.FromDays(1), [Constraints("3040a00e300c160a636f6e666964656e6365a120301e301c160a636f6e666964656e6365300e0c04686967680c066d656469756da20c300a16087072696f72697479")]);

        var result = Validator().Validate(ee.Chain);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal("mustInclude [confidence]; permittedValues confidence in {high, medium}; mustExclude [priority]", result.Certificate.ClaimConstraints!.ToString());
    }

    [Fact]
    public void ClaimConstraintsExcludingABaselineClaim_AreTreatedAsAbsent()
    {
        using var ee = _pki.Intermediate.IssueEndEntity("excl", List("spc:709J"), TimeSpan.FromDays(1), [Constraints("300aa208300616046f726967")]);

        var result = Validator().Validate(ee.Chain);

        Assert.True(result.IsValid, result.Reason);
        Assert.Null(result.Certificate.ClaimConstraints);
    }

    [Theory]
    [InlineData("3000", "no component present")]
    [InlineData("both", "carries both JWTClaimConstraints and EnhancedJWTClaimConstraints")]
    public void MalformedClaimConstraints_RejectTheChain(string hex, string reason)
    {
        X509Extension[] extensions = hex == "both"
            ? [Constraints("300aa208300616046f726967"), new X509Extension(JwtClaimConstraints.Oid, Convert.FromHexString("3010a00e300c160a636f6e666964656e6365"), false)]
            : [Constraints(hex)];
        using var ee = _pki.Intermediate.IssueEndEntity("bad-constraints", List("spc:709J"), TimeSpan.FromDays(1), extensions);

        var result = Validator().Validate(ee.Chain);

        Assert.Equal(StirChainFailure.ClaimConstraintsMalformed, result.Failure);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void X5c_ValidatesBase64DerAndRejectsBase64Url()
    {
        var x5c = _sp.Chain.Select(c => Convert.ToBase64String(c.RawData)).ToArray();
        var urlSafe = x5c.Select(s => s.Replace('+', '-').Replace('/', '_')).ToArray();

        Assert.True(Validator().ValidateX5c(x5c).IsValid);
        var bad = Validator().ValidateX5c(urlSafe);
        Assert.Equal(StirChainFailure.Malformed, bad.Failure);
        Assert.Contains("is not base64 (x5c is base64, not base64url, RFC 7515 §4.1.6)", bad.Reason, StringComparison.Ordinal);
        Assert.Contains("x5c: empty array", Validator().ValidateX5c([]).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyOrOverlongChain_IsMalformed()
    {
        Assert.Equal(StirChainFailure.Malformed, Validator().Validate([]).Failure);
        Assert.Contains("at most 10", Validator().Validate(Enumerable.Repeat(_sp.Certificate, 11).ToList()).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "PEM block 1: label 'PRIVATE KEY' where only CERTIFICATE is allowed")]
    [InlineData("hello", "PEM: no CERTIFICATE block found")]
    [InlineData("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "damaged PEM block")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAgEA\n-----END CERTIFICATE-----\n", "certificate #1: expected a DER SEQUENCE (0x30), got 0x02")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", "certificate #1: not an X.509 certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMAAA\n-----END CERTIFICATE-----\n", "certificate #1: 1 byte(s) after the certificate")]
    public void ParsePem_Malformed_SaysWhy(string pem, string expected)
    {
        var ex = Assert.Throws<CertificateFormatException>(() => CertificateChain.ParsePem(pem));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsePem_ExplanatoryText_AllowedInFilesButNotInStrictMode()
    {
        var pem = "Subject: sp\n" + Pem(_sp.Chain) + "trailer\n";

        Assert.Equal(2, CertificateChain.ParsePem(pem).Count);
        var ex = Assert.Throws<CertificateFormatException>(() => CertificateChain.ParsePem(pem, allowExplanatoryText: false));
        Assert.Contains("text outside the PEM blocks", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadTrustAnchors_RefusesAnEndEntity()
    {
        var path = Path.Combine(Path.GetTempPath(), $"anchors-{Guid.NewGuid():N}.pem");
        try
        {
            File.WriteAllText(path, Pem([_pki.Root.Certificate, _sp.Certificate]));

            var ex = Assert.Throws<CertificateFormatException>(() => CertificateChain.LoadTrustAnchors(path));

            Assert.Contains($"{path}: certificate #2", ex.Message, StringComparison.Ordinal);
            Assert.Contains("is not a CA certificate", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static X509Extension Constraints(string hex) => new(JwtClaimConstraints.EnhancedOid, Convert.FromHexString(hex), false);

    // The certificate's TBS range and where the signature BIT STRING starts (RFC 5280 §4.1).
    private static (int TbsStart, int TbsEnd, int SignatureStart) Layout(byte[] der)
    {
        AsnDecoder.ReadSequence(der, AsnEncodingRules.DER, out var contentOffset, out _, out _);
        AsnDecoder.ReadEncodedValue(der.AsSpan(contentOffset), AsnEncodingRules.DER, out _, out _, out var tbsLength);
        AsnDecoder.ReadEncodedValue(der.AsSpan(contentOffset + tbsLength), AsnEncodingRules.DER, out _, out _, out var algorithmLength);
        return (contentOffset, contentOffset + tbsLength, contentOffset + tbsLength + algorithmLength);
    }

    private X509Certificate2 Custom(CertificateRequest request, bool withList)
    {
        if (withList)
        {
            request.CertificateExtensions.Add(List("spc:709J").ToExtension());
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_pki.Intermediate.Certificate, true, false));
        return request.Create(_pki.Intermediate.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_pki.Intermediate.PrivateKey), T0 - TimeSpan.FromHours(1), T0 + TimeSpan.FromDays(1), [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    private StirChainValidator Validator(TimeProvider? time = null, bool requireTNAuthList = true, SpcAuthorization? spcAuthorization = null) =>
        new([_pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = time ?? _time, RequireTNAuthList = requireTNAuthList, SpcAuthorization = spcAuthorization });
}
