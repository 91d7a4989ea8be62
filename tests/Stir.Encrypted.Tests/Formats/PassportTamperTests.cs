using System.Text;
using System.Text.Json;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// Every changed character of a signed token makes verification fail; every truncation and every oversize
/// token is refused with <see cref="PassportFormatException"/>, never another exception.
/// </summary>
public sealed class PassportTamperTests
{
    [Fact]
    [Trait("Claim", "TM-58")]
    public async Task FlipAnyCharacter_VerificationFails_WithoutUnexpectedExceptions()
    {
        using var rig = new PassportTestKit.Rig();
        var token = PassportTestKit.Basic().WithShaken("A", Guid.Parse("0b6e6a3b-4a0e-4e62-9c55-9a1f6c5b3a10")).Sign(rig.Signer).Token;
        Assert.True((await rig.VerifyAsync(token)).IsValid);

        var rules = new Dictionary<PassportRule, int>();
        for (var i = 0; i < token.Length; i++)
        {
            foreach (var mask in new[] { 0x01, 0x02, 0x20 })
            {
                var chars = token.ToCharArray();
                chars[i] = (char)(chars[i] ^ mask);
                var tampered = new string(chars);

                var verdict = await rig.VerifyAsync(tampered);

                Assert.False(verdict.IsValid, $"flipping 0x{mask:x2} at {i} left the token valid");
                rules[verdict.Rule] = rules.GetValueOrDefault(verdict.Rule) + 1;

                // The parser alone: either the format exception, or a token whose signature no longer verifies.
                if (Passport.TryParse(tampered, out var parsed, out _))
                {
                    using var publicKey = rig.Key.ExportPublicKey();
                    Assert.False(parsed.VerifySignature(publicKey), $"flipping 0x{mask:x2} at {i} kept a valid signature");
                }
            }
        }

        // Both channels were exercised: malformed tokens and well-formed tokens with a broken signature.
        Assert.True(rules.GetValueOrDefault(PassportRule.Malformed) > 0);
        Assert.True(rules.GetValueOrDefault(PassportRule.SignatureInvalid) > 0);
        Assert.Equal(rules.Values.Sum(), rules.Where(r => r.Key is PassportRule.Malformed or PassportRule.SignatureInvalid).Sum(r => r.Value));
    }

    [Fact]
    public void FlipAnyBitOfTheDecodedParts_ParseFailsOrSignatureFails()
    {
        using var rig = new PassportTestKit.Rig();
        var passport = PassportTestKit.Basic().Sign(rig.Signer);
        using var publicKey = rig.Key.ExportPublicKey();
        var parts = new[] { passport.RawHeader.ToArray(), passport.RawClaims.ToArray(), passport.Signature.ToArray() };
        for (var part = 0; part < 3; part++)
        {
            for (var bit = 0; bit < parts[part].Length * 8; bit++)
            {
                var copy = parts.Select(p => (byte[])p.Clone()).ToArray();
                copy[part][bit / 8] ^= (byte)(1 << (bit % 8));
                var token = string.Join('.', copy.Select(PassportTestKit.B64));

                if (Passport.TryParse(token, out var parsed, out _))
                {
                    Assert.False(parsed.VerifySignature(publicKey), $"part {part} bit {bit}");
                }
            }
        }
    }

    [Fact]
    [Trait("Claim", "TM-58")]
    public void EveryTruncation_IsAFormatError()
    {
        using var rig = new PassportTestKit.Rig();
        var token = PassportTestKit.Basic().Sign(rig.Signer).Token;

        for (var length = 0; length < token.Length; length++)
        {
            var error = Assert.Throws<PassportFormatException>(() => Passport.Parse(token[..length]));
            Assert.NotEmpty(error.Problems);
        }
    }

    [Fact]
    public void Token_OverTheSizeLimit_IsRefusedBeforeDecoding()
    {
        var token = PassportTestKit.Craft(PassportTestKit.GoodHeader, PassportTestKit.GoodClaims.Replace("}", ",\"pad\":\"" + new string('a', 9000) + "\"}", StringComparison.Ordinal));

        var error = Assert.Throws<PassportFormatException>(() => Passport.Parse(token));

        Assert.Equal(PassportPart.Token, error.Part);
        Assert.Equal($"token: {token.Length} characters exceed the limit of 8192", error.Message);
    }

    [Fact]
    public void Header_OverItsSizeLimit_IsRefused()
    {
        var header = PassportTestKit.GoodHeader.Replace("}", ",\"pad\":\"" + new string('a', 4200) + "\"}", StringComparison.Ordinal);

        var error = Assert.Throws<PassportFormatException>(() => Passport.Parse(PassportTestKit.Craft(header, PassportTestKit.GoodClaims)));

        Assert.Equal(PassportPart.Header, error.Part);
        Assert.Matches(@"^header: \d+ bytes exceed the limit of 4096$", error.Message);
    }

    [Fact]
    public void Json_NestedDeeperThanTheLimit_IsRefused()
    {
        var deep = new string('[', 20) + new string(']', 20);
        var claims = PassportTestKit.GoodClaims.Replace("}", $",\"deep\":{deep}}}", StringComparison.Ordinal);

        var error = Assert.Throws<PassportFormatException>(() => Passport.Parse(PassportTestKit.Craft(PassportTestKit.GoodHeader, claims)));

        Assert.Equal(PassportPart.Claims, error.Part);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("depth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signer_RefusesToSignAPassportVerifiersWouldReject()
    {
        using var rig = new PassportTestKit.Rig();
        using var big = JsonDocument.Parse(JsonSerializer.Serialize(new string('r', 7000)));

        var error = Assert.Throws<ArgumentException>(() => PassportTestKit.Basic().WithClaim("rcd", big.RootElement).Sign(rig.Signer));

        Assert.Contains("exceed the limit of 8192", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NonCanonicalValidToken_KeepsTheReceivedBytes()
    {
        // A non-canonical but valid token (as a JOSE library writes it): accepted, flagged, bytes kept.
        var header = "{\"typ\":\"passport\", \"alg\":\"ES256\",\"x5u\":\"https://cert.example.net/sp.pem\"}";
        var passport = Passport.Parse(PassportTestKit.Craft(header, PassportTestKit.GoodClaims));

        Assert.False(passport.IsHeaderCanonical);
        Assert.True(passport.AreClaimsCanonical);
        Assert.Equal(header, Encoding.UTF8.GetString(passport.RawHeader.Span));
    }
}
