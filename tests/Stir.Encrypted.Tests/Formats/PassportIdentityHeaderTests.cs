using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>RFC 8224 §4 Identity header values: formatting, parsing, and the malformed ones.</summary>
public sealed class PassportIdentityHeaderTests
{
    private const string Token = "aGVhZGVy.Y2xhaW1z.c2ln";

    [Theory]
    [InlineData(Token + ";info=<https://cert.example.net/sp.pem>;alg=ES256;ppt=\"shaken\"", "https://cert.example.net/sp.pem", "ES256", "shaken")]
    [InlineData(Token + ";info=<https://cert.example.net/sp.pem>;alg=ES256;ppt=shaken", "https://cert.example.net/sp.pem", "ES256", "shaken")]
    [InlineData("Identity: " + Token + " ; INFO = <https://a.example/c;x=1> ; Alg=ES256 ; ext=1 ; flag", "https://a.example/c;x=1", "ES256", null)]
    [InlineData(Token + ";\r\n info=<https://a.example/c>", "https://a.example/c", null, null)]
    [InlineData(Token, null, null, null)]
    public void Parse_Variants(string value, string? info, string? alg, string? ppt)
    {
        var header = SipIdentityHeader.Parse(value);

        Assert.Equal(Token, header.Token);
        Assert.Equal(info, header.Info);
        Assert.Equal(alg, header.Alg);
        Assert.Equal(ppt, header.Ppt);
        Assert.False(header.IsCompactForm);
    }

    [Theory]
    [InlineData(";info=<https://a.example/c>", "", "Identity header: no PASSporT before the first ';'")]
    [InlineData(Token + ";alg=ES256", "info", "Identity header \"info\": missing; the Identity header carries ;info=<URI of the signer's certificate> (RFC 8224 §4)")]
    [InlineData(Token + ";info=https://a.example/c", "info", "Identity header \"info\": must be an absolute URI in angle brackets (RFC 8224 §4), got \"https://a.example/c\"")]
    [InlineData(Token + ";info=<https://a.example/c", "info", "Identity header \"info\": unterminated <...>")]
    [InlineData(Token + ";info=<https://a.example/c>;info=<https://b.example/c>", "info", "Identity header \"info\": appears twice")]
    [InlineData(Token + ";info=<https://a.example/c>;ppt=", "ppt", "Identity header \"ppt\": '=' without a value")]
    [InlineData("a b.c.d;info=<https://a.example/c>", "", "Identity header: character ' ' cannot appear in the signed-identity-digest (RFC 8224 §4)")]
    [InlineData(Token + ";info=<https://a.example/c> junk", "", "Identity header: expected ';' before \"junk\"")]
    public void Parse_Malformed_NamesTheParameter(string value, string field, string message)
    {
        var error = Assert.Throws<PassportFormatException>(() => SipIdentityHeader.Parse(value));

        Assert.Equal(PassportPart.IdentityHeader, error.Part);
        Assert.Equal(field, error.Field);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ToIdentityHeader_RoundTrips_FullAndCompact()
    {
        using var rig = new PassportTestKit.Rig();
        var passport = PassportTestKit.Basic().WithShaken("C", Guid.NewGuid()).Sign(rig.Signer);

        var full = SipIdentityHeader.Parse(passport.ToIdentityHeader());
        var compact = SipIdentityHeader.Parse(passport.ToIdentityHeader(compact: true));

        Assert.Equal($"{passport.Token};info=<{PassportTestKit.X5u}>;alg=ES256;ppt=shaken", passport.ToIdentityHeader());
        Assert.Equal(passport.Token, full.Token);
        Assert.Equal(passport.CompactForm, compact.Token);
        Assert.True(compact.IsCompactForm);
        Assert.Equal("shaken", compact.Ppt);
        Assert.Equal(PassportTestKit.X5u, compact.Info);
    }

    [Fact]
    public void ToIdentityHeader_WithoutX5u_IsAProgrammingError()
    {
        using var rig = new PassportTestKit.Rig();
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=sp", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.FromUnixTimeSeconds(PassportTestKit.Now), DateTimeOffset.FromUnixTimeSeconds(PassportTestKit.Now).AddDays(1));
        var passport = new PassportBuilder().WithX5c([certificate]).WithOrig(PassportTestKit.Orig).AddDest(PassportTestKit.Dest).Sign(rig.Signer);

        Assert.Throws<InvalidOperationException>(() => passport.ToIdentityHeader());
        Assert.Equal(certificate.RawData, passport.Header.X5c.Single().ToArray());
    }
}
