using System.Text.Json;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>RFC 9118 §5 Figure 1 certificate and Figure 2 extension: mustInclude / permittedValues / mustExclude.</summary>
public sealed class CertRfc9118ClaimConstraintsTests
{
    // RFC 9118 Figure 2, as the extnValue of Figure 1's 1.3.6.1.5.5.7.1.33 extension.
    private const string Figure2 = "3040a00e300c160a636f6e666964656e6365a120301e301c160a636f6e666964656e6365300e0c04686967680c066d656469756da20c300a16087072696f72697479";

    [Fact]
    public void Figure1_DecodesToFigure2Constraints()
    {
        var certificate = Assert.Single(CertificateChain.LoadPemFile(VectorFiles.PathOf("certs/rfc-and-library-examples/rfc9118-figure1.pem")));

        var constraints = JwtClaimConstraints.FromCertificate(certificate);

        Assert.NotNull(constraints);
        Assert.True(constraints.IsEnhanced);
        Assert.Equal(["confidence"], constraints.MustInclude);
        var permitted = Assert.Single(constraints.PermittedValues);
        Assert.Equal("confidence", permitted.Claim);
        Assert.Equal(["high", "medium"], permitted.Values);
        Assert.Equal(["priority"], constraints.MustExclude);
        Assert.False(constraints.ExcludesBaselineClaim);
        Assert.Equal(Figure2, Convert.ToHexString(certificate.Extensions[JwtClaimConstraints.EnhancedOid]!.RawData).ToLowerInvariant());
        Assert.Equal(Figure2, Convert.ToHexString(constraints.EncodeEnhanced()).ToLowerInvariant());
    }

    [Theory]
    [InlineData("""{"iat":1,"orig":{},"dest":{},"confidence":"high"}""", true, "satisfy")]
    [InlineData("""{"iat":1,"orig":{},"dest":{},"confidence":"medium"}""", true, "satisfy")]
    [InlineData("""{"iat":1,"orig":{},"dest":{}}""", false, "mustInclude: claim \"confidence\" is missing")]
    [InlineData("""{"iat":1,"orig":{},"dest":{},"confidence":"low"}""", false, "permittedValues: claim \"confidence\" is \"low\"")]
    [InlineData("""{"iat":1,"orig":{},"dest":{},"confidence":"High"}""", false, "permittedValues")]
    [InlineData("""{"iat":1,"orig":{},"dest":{},"confidence":["high"]}""", false, "permittedValues")]
    [InlineData("""{"iat":1,"orig":{},"dest":{},"confidence":"high","priority":"1"}""", false, "mustExclude: claim \"priority\" is present")]
    public void Permits_AppliesRfc9118Section4(string claims, bool permitted, string reason)
    {
        var constraints = JwtClaimConstraints.DecodeEnhanced(Convert.FromHexString(Figure2));
        using var doc = JsonDocument.Parse(claims);

        Assert.Equal(permitted, constraints.Permits(doc.RootElement, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public void MustExcludeOfABaselineClaim_IsTreatedAsAbsent()
    {
        // mustExclude [orig]: RFC 9118 §3 item 3 says to treat the certificate as if the extension were absent.
        var der = Convert.FromHexString("300aa208300616046f726967");
        var constraints = JwtClaimConstraints.DecodeEnhanced(der);
        using var doc = JsonDocument.Parse("""{"iat":1,"orig":{},"dest":{}}""");

        Assert.True(constraints.ExcludesBaselineClaim);
        Assert.True(constraints.Permits(doc.RootElement, out var why));
        Assert.Contains("ignored", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3000", "EnhancedJWTClaimConstraints: no component present")]
    [InlineData("3004a0023000", "mustInclude: SEQUENCE SIZE (1..MAX) violated (empty)")]
    [InlineData("3004a1023000", "permittedValues: SEQUENCE SIZE (1..MAX) violated (empty)")]
    [InlineData("300ba109300730051601633000", "permittedValues[0].values: SEQUENCE SIZE (1..MAX) violated (empty)")]
    [InlineData("300fa10d300b300916016330040c02c328", "permittedValues[0].values: not DER")]
    [InlineData("300ea20c300a16086e6f6e2d617363ff", "mustExclude: not DER")]
    [InlineData("300ea2053003160170a0053003160163", "unexpected tag 0xa0 (expected [0] mustInclude, [1] permittedValues, [2] mustExclude in order)")]
    [InlineData(Figure2 + "00", "EnhancedJWTClaimConstraints: trailing bytes")]
    [InlineData("3080a0053003160163" + "0000", "EnhancedJWTClaimConstraints: not DER")]
    public void DecodeEnhanced_Malformed_NamesTheElement(string hex, string expected)
    {
        var ex = Assert.Throws<JwtClaimConstraintsFormatException>(() => JwtClaimConstraints.DecodeEnhanced(Convert.FromHexString(hex)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Rfc8226Form_RejectsMustExclude()
    {
        // [2] mustExclude exists only in RFC 9118; in an RFC 8226 JWTClaimConstraints it is an unknown component.
        var ex = Assert.Throws<JwtClaimConstraintsFormatException>(() => JwtClaimConstraints.Decode(Convert.FromHexString("300ea20c300a16087072696f72697479")));

        Assert.Contains("unexpected tag 0xa2", ex.Message, StringComparison.Ordinal);
    }
}
