using System.Text;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// The RFC examples used as signing material: our signer reproduces the RFCs' canonical header and claims
/// byte for byte, and the published keys behave as the vector README says (RFC 8225's A.1/A.2 are not a
/// pair; RFC 8946's are). The RFC 8946 div example is then checked as a chain against its original.
/// </summary>
public sealed class PassportRfcExampleKeysTests
{
    private const long RfcIat = 1443208345;

    private static readonly string OptInner = Token("rfc8946-s5-opt-inner");

    private static readonly string DivExample = Token("rfc8946-s3-div");

    [Fact]
    public void Rfc8225AppendixA_SignerReproducesHeaderAndClaims_AndA1IsNotThePairOfA2()
    {
        using var signingKey = PassportSigningKey.FromPem(VectorFiles.ReadText("passport/keys/rfc8225-appendix-A1-private.pem"));
        var passport = new PassportBuilder()
            .WithX5u("https://cert.example.org/passport.cer")
            .WithOrig(TelephoneNumber.ParseCanonical("12155551212"))
            .AddDest(PassportIdentity.FromUri("sip:alice@example.com"))
            .WithIat(1471375418)
            .Sign(new PassportSigner(signingKey));

        // RFC 8225 Appendix A steps 1-4, printed in the RFC.
        Assert.Equal("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.org/passport.cer\"}", Encoding.UTF8.GetString(passport.RawHeader.Span));
        Assert.Equal("{\"dest\":{\"uri\":[\"sip:alice@example.com\"]},\"iat\":1471375418,\"orig\":{\"tn\":\"12155551212\"}}", Encoding.UTF8.GetString(passport.RawClaims.Span));
        Assert.StartsWith(
            "eyJhbGciOiJFUzI1NiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6Ly9jZXJ0LmV4YW1wbGUub3JnL3Bhc3Nwb3J0LmNlciJ9." +
            "eyJkZXN0Ijp7InVyaSI6WyJzaXA6YWxpY2VAZXhhbXBsZS5jb20iXX0sImlhdCI6MTQ3MTM3NTQxOCwib3JpZyI6eyJ0biI6IjEyMTU1NTUxMjEyIn19.",
            passport.Token,
            StringComparison.Ordinal);

        using var derived = signingKey.ExportPublicKey();
        using var a2 = PassportVectorKeys.PublicFromPem("passport/keys/rfc8225-appendix-A2-public.pem");
        Assert.True(passport.VerifySignature(derived));
        Assert.False(passport.VerifySignature(a2));
    }

    [Fact]
    public async Task Rfc8946Section3_DivSignedWithAppendixAKey_ReproducesTheExampleClaimsAndVerifies()
    {
        using var signingKey = PassportSigningKey.FromPem(VectorFiles.ReadText("passport/keys/rfc8946-appendix-A-private.pem"));
        var original = Passport.Parse(OptInner);

        // The RFC's div value carries its typo (121555551213), so it is set directly rather than through
        // ForDiversion, which insists that div is one of the original's destinations.
        var div = new PassportBuilder()
            .WithX5u("https://www.example.com/cert.cer")
            .WithOrig(original.Claims.Orig)
            .WithIat(original.Claims.Iat)
            .WithDiv(PassportIdentity.FromTn(TelephoneNumber.ParseCanonical("121555551213")))
            .AddDest(TelephoneNumber.ParseCanonical("12155551214"))
            .Sign(new PassportSigner(signingKey));

        var example = Passport.Parse(DivExample);
        Assert.Equal(example.RawHeader.ToArray(), div.RawHeader.ToArray());
        Assert.Equal(example.RawClaims.ToArray(), div.RawClaims.ToArray());
        // RFC 8946 prints ppt="div"; RFC 8224's ABNF (ident-type = "ppt" EQUAL token) has it unquoted, which is
        // what we write. The printed, quoted form still parses and verifies.
        Assert.Equal(div.Token + ";info=<https://www.example.com/cert.cer>;alg=ES256;ppt=div", div.ToIdentityHeader());

        using var resolver = new StaticKeyCredentialResolver(PassportVectorKeys.PublicFromPem("passport/keys/rfc8946-appendix-A-public.pem"));
        var verifier = new PassportVerifier(resolver, timeProvider: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(RfcIat)));
        Assert.True((await verifier.VerifyAsync(div.Token, null, CancellationToken.None)).IsValid);
        Assert.True((await verifier.VerifyAsync(div.Token + ";info=<https://www.example.com/cert.cer>;alg=ES256;ppt=\"div\"", null, CancellationToken.None)).IsValid);
    }

    [Fact]
    public async Task Rfc8946Chain_DivExampleAgainstItsOriginal_FailsOnTheDivTypo()
    {
        using var resolver = new StaticKeyCredentialResolver(PassportVectorKeys.PublicFromPem("passport/keys/rfc8946-appendix-A-public.pem"));
        var verifier = new PassportVerifier(resolver, timeProvider: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(RfcIat)));

        var verdict = await verifier.VerifyCallAsync([OptInner, DivExample], TelephoneNumber.ParseCanonical("12155551214"), CancellationToken.None);

        // Both signatures are valid; the link is not: div 121555551213 is not the original's dest 12155551213.
        Assert.All(verdict.Verdicts, v => Assert.True(v.IsValid, v.ToString()));
        Assert.Equal(PassportRule.ChainIncomplete, verdict.Rule);
        Assert.Equal(1, verdict.FailedIndex);
        Assert.Contains("no PASSporT of the call has tn 121555551213 in its \"dest\"", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc8946Chain_CorrectedDivAndDivO_VerifyAgainstTheOriginal()
    {
        using var signingKey = PassportSigningKey.FromPem(VectorFiles.ReadText("passport/keys/rfc8946-appendix-A-private.pem"));
        var signer = new PassportSigner(signingKey);
        var original = Passport.Parse(OptInner);
        var from = PassportIdentity.FromTn(TelephoneNumber.ParseCanonical("12155551213"));
        var newDest = TelephoneNumber.ParseCanonical("12155551214");
        var div = PassportBuilder.ForDiversion(original, from).WithX5u("https://www.example.com/cert.cer").AddDest(newDest).Sign(signer);
        var divO = PassportBuilder.ForDiversion(original, from, nestOriginal: true).WithX5u("https://www.example.com/cert.cer").AddDest(newDest).Sign(signer);

        using var resolver = new StaticKeyCredentialResolver(PassportVectorKeys.PublicFromPem("passport/keys/rfc8946-appendix-A-public.pem"));
        var verifier = new PassportVerifier(resolver, timeProvider: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(RfcIat + 3)));

        var chain = await verifier.VerifyCallAsync([original.ToIdentityHeader(), div.ToIdentityHeader()], newDest, CancellationToken.None);
        Assert.True(chain.IsValid, chain.ToString());
        Assert.Contains("1 diversion link(s)", chain.Message, StringComparison.Ordinal);

        // RFC 8946 §5: the div-o's opt is the original, byte for byte, and the nested one is verified too.
        Assert.Equal(OptInner, divO.Claims.Opt);
        var nested = await verifier.VerifyAsync(divO.Token, newDest, CancellationToken.None);
        Assert.True(nested.IsValid, nested.ToString());
        Assert.Contains("1 nested original(s) verified", nested.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sp")]
    [InlineData("pa")]
    [InlineData("ca")]
    public void LibstirshakenKeyFiles_AreThePublicKeysOfTheirCertificates(string name)
    {
        using var fromPub = PassportVectorKeys.PublicFromPem($"passport/third-party/libstirshaken/{name}.pub");
        using var fromCertificate = PassportVectorKeys.PublicFromCertificate($"certs/libstirshaken/{name}.pem");

        Assert.Equal(fromPub.ExportSubjectPublicKeyInfo(), fromCertificate.ExportSubjectPublicKeyInfo());
    }

    private static string Token(string id)
    {
        using var doc = VectorFiles.ReadJson("passport/external-examples.json");
        return doc.RootElement.EnumerateArray().Single(e => e.GetProperty("id").GetString() == id).GetProperty("token").GetString()!;
    }
}
