using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// PASSporT verification through STIR certificates (RFC 8224 §6.2 steps 2–3): x5c, a local chain, or x5u
/// fetched; the chain validated to trust anchors at the verifier's time; the end entity's TNAuthList
/// deciding authority over orig; RFC 9118 claim constraints enforced.
/// </summary>
public sealed class PassportCertificateVerificationTests : IDisposable
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseCanonical("12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseCanonical("13035550100");
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly DevelopmentPki _pki;
    private readonly DevelopmentCredential _signer;

    public PassportCertificateVerificationTests()
    {
        _pki = DevelopmentPki.Create(_time);
        _signer = _pki.IssueEndEntity("carrier", new TNAuthList([new TNEntry.Range(new TelephoneNumberRange(TelephoneNumber.ParseCanonical("12025550100"), 100))]), TimeSpan.FromDays(30));
    }

    public void Dispose()
    {
        _signer.Dispose();
        _pki.Dispose();
    }

    [Fact]
    [Trait("Claim", "TM-22")]
    public async Task X5c_ChainToTrustedRoot_CoveringOrig_IsValid()
    {
        var token = Sign(b => b.WithX5c(_signer.Chain));

        var verdict = await Verifier(Resolver()).VerifyAsync(token, Bob, CancellationToken.None);

        Assert.True(verdict.IsValid, verdict.Message);
        Assert.Contains("carrier", verdict.Signer, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-22")]
    public async Task X5c_UntrustedRoot_IsCredentialUnavailable()
    {
        using var otherPki = DevelopmentPki.Create(_time);
        var token = Sign(b => b.WithX5c(_signer.Chain));
        var resolver = new StirCredentialResolver(new StirChainValidator([otherPki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _time }));

        var verdict = await Verifier(resolver).VerifyAsync(token, Bob, CancellationToken.None);

        Assert.Equal(PassportRule.CredentialUnavailable, verdict.Rule);
        Assert.Contains("x5c", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-22")]
    public async Task OrigOutsideTheCertificatesRange_IsOrigNotCovered()
    {
        var token = Sign(b => b.WithX5c(_signer.Chain), orig: TelephoneNumber.ParseCanonical("12025550200"));

        var verdict = await Verifier(Resolver()).VerifyAsync(token, Bob, CancellationToken.None);

        Assert.Equal(PassportRule.OrigNotCovered, verdict.Rule);
        Assert.Contains("12025550200", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredCertificate_AtVerificationTime_IsCredentialUnavailable()
    {
        var token = Sign(b => b.WithX5c(_signer.Chain));
        _time.Advance(TimeSpan.FromDays(31));

        // The PASSporT is stale too by then; the credential is judged first.
        var verdict = await Verifier(Resolver()).VerifyAsync(token, Bob, CancellationToken.None);

        Assert.Equal(PassportRule.CredentialUnavailable, verdict.Rule);
        Assert.Contains("expired", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task X5u_FetchedFromLoopback_IsValid_AndALocalChainAvoidsTheFetch()
    {
        await using var server = new LoopbackHttpServer();
        server.Map("/sp.pem", LoopbackHttpServer.Reply.Pem(string.Concat(_signer.Chain.Select(c => c.ExportCertificatePem() + "\n"))));
        var x5u = server.BaseUrl + "/sp.pem";
        var token = Sign(b => b.WithX5u(x5u));
        var validator = new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _time });
        using var http = new HttpClient();

        var fetched = await Verifier(new StirCredentialResolver(validator, new X5uResolver(http, validator, new X5uResolverOptions { AllowHttp = true }))).VerifyAsync(token, Bob, CancellationToken.None);
        var local = await Verifier(new StirCredentialResolver(validator, null, _signer.Chain)).VerifyAsync(token, Bob, CancellationToken.None);

        Assert.True(fetched.IsValid, fetched.Message);
        Assert.True(local.IsValid, local.Message);
        Assert.Equal(1, server.Hits("/sp.pem"));
    }

    [Fact]
    public async Task X5uOnly_WithoutFetcherOrLocalChain_SaysSo()
    {
        var token = Sign(b => b.WithX5u("https://cert.example.net/sp.pem"));

        var verdict = await Verifier(Resolver()).VerifyAsync(token, Bob, CancellationToken.None);

        Assert.Equal(PassportRule.CredentialUnavailable, verdict.Rule);
        Assert.Contains("not fetched", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-22")]
    public async Task ClaimConstraints_OfTheSignersCertificate_AreEnforced()
    {
        // RFC 9118 Figure 1's extension: mustInclude "confidence", permittedValues confidence ∈ {high, medium}.
        var figure1 = CertificateChain.LoadPemFile(VectorFiles.PathOf("certs/rfc-and-library-examples/rfc9118-figure1.pem"))[0];
        var constraints = figure1.Extensions[StirOidsForTests.EnhancedJwtClaimConstraints]!;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var constrained = IssueWith(key, constraints);
        var chain = new[] { constrained, _pki.Intermediate.Certificate };

        var without = await Verifier(Resolver()).VerifyAsync(Sign(b => b.WithX5c(chain), key: key), Bob, CancellationToken.None);
        var low = await Verifier(Resolver()).VerifyAsync(Sign(b => b.WithX5c(chain).WithClaim("confidence", Json("\"low\"")), key: key), Bob, CancellationToken.None);
        var high = await Verifier(Resolver()).VerifyAsync(Sign(b => b.WithX5c(chain).WithClaim("confidence", Json("\"high\"")), key: key), Bob, CancellationToken.None);

        Assert.Equal(PassportRule.ClaimsNotPermitted, without.Rule);
        Assert.Contains("confidence", without.Message, StringComparison.Ordinal);
        Assert.Equal(PassportRule.ClaimsNotPermitted, low.Rule);
        Assert.True(high.IsValid, high.Message);
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private X509Certificate2 IssueWith(ECDsa key, X509Extension extra)
    {
        var request = new CertificateRequest("CN=constrained carrier, O=test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new TNAuthList([new TNEntry.One(Alice)]).ToExtension());
        request.CertificateExtensions.Add(extra);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_pki.Intermediate.Certificate, true, false));
        return request.Create(_pki.Intermediate.Certificate.CopyWithPrivateKey(_pki.Intermediate.PrivateKey), Now.AddMinutes(-1), Now.AddDays(10), [1, 2, 3, 4]);
    }

    private StirCredentialResolver Resolver() =>
        new(new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _time }));

    private PassportVerifier Verifier(IPassportCredentialResolver resolver) =>
        new(resolver, new PassportVerifierOptions { ParseOptions = new PassportParseOptions { AllowLoopbackHttpX5u = true } }, _time);

    private string Sign(Func<PassportBuilder, PassportBuilder> configure, TelephoneNumber? orig = null, ECDsa? key = null)
    {
        using var signingKey = PassportSigningKey.FromECDsa(key ?? _signer.PrivateKey);
        var builder = configure(new PassportBuilder().WithOrig(orig ?? Alice).AddDest(Bob).WithIat(Now.ToUnixTimeSeconds()));
        return builder.Sign(new PassportSigner(signingKey, _time)).Token;
    }

    private static class StirOidsForTests
    {
        public const string EnhancedJwtClaimConstraints = "1.3.6.1.5.5.7.1.33";
    }
}
