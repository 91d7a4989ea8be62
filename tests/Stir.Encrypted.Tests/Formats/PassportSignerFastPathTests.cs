using System.Text.Json;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// <see cref="PassportSigner"/> skips parsing its own token back when the header already parsed once and the claims
/// object alone proves the claims valid. That shortcut restates some of the parser's rules, so it is checked against
/// the parser itself: over many header and claims combinations, valid and not, the signer accepts exactly what the
/// parser accepts (the parser's verdict does not depend on the signature bytes), and what it returns is what
/// <see cref="Passport.Parse(string, PassportParseOptions?)"/> makes of its token.
/// </summary>
public sealed class PassportSignerFastPathTests
{
    private static readonly PassportParseOptions Options = new() { AllowLoopbackHttpX5u = true };

    [Fact]
    public void Sign_AcceptsExactlyWhatTheParserAccepts_AndReturnsWhatItParses()
    {
        using var key = PassportSigningKey.Generate();
        using var publicKey = key.ExportPublicKey();
        var random = new Random(20261127);
        string?[] ppts = [null, PassportTypes.Shaken, PassportTypes.Div];
        string?[] attests = [null, "A", "B", "C", "D", "", "a"];
        string?[] origIds = [null, "123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000", "not-a-uuid", ""];
        long[] iats = [0, 1, 1_800_000_000, -1, DateTimeOffset.MaxValue.ToUnixTimeSeconds(), DateTimeOffset.MaxValue.ToUnixTimeSeconds() + 1, long.MaxValue];
        var orig = PassportIdentity.FromTn(PassportTestKit.Orig);
        var divertedFrom = PassportIdentity.FromTn(TelephoneNumber.ParseCanonical("12025550150"));
        PassportDestination[] dests =
        [
            PassportDestination.Create([PassportTestKit.Dest]),
            PassportDestination.Create(null, ["sip:bob@example.com"]),
            PassportDestination.Create([PassportTestKit.Dest, TelephoneNumber.ParseCanonical("12025550198")], ["sip:bob@example.com"]),
        ];

        var agreed = 0;
        var refused = 0;
        foreach (var ppt in ppts)
        {
            var header = new PassportHeader(PassportTestKit.X5u, ppt: ppt);
            var signer = new PassportSigner(key);
            for (var i = 0; i < 400; i++)
            {
                var claims = new PassportClaims(
                    iats[random.Next(iats.Length)],
                    orig,
                    dests[random.Next(dests.Length)],
                    attests[random.Next(attests.Length)],
                    origIds[random.Next(origIds.Length)],
                    random.Next(3) == 0 ? null : divertedFrom,
                    random.Next(4) switch { 0 => "", 1 => "sip:hi@example.com", _ => null },
                    null,
                    new Dictionary<string, JsonElement>());

                // An equal but distinct header object each time, as PassportBuilder.Sign makes one per call.
                var sameHeader = new PassportHeader(PassportTestKit.X5u, ppt: ppt);
                var parserAccepts = ParserAccepts(header, claims);
                Passport? signed = null;
                try
                {
                    signed = signer.Sign(i % 2 == 0 ? header : sameHeader, claims);
                }
                catch (ArgumentException)
                {
                }

                Assert.True(parserAccepts == (signed is not null), $"ppt {ppt ?? "none"}, claims {System.Text.Encoding.UTF8.GetString(claims.ToCanonicalJson())}: parser {(parserAccepts ? "accepts" : "refuses")}, signer {(signed is null ? "refused" : "signed")}");
                if (signed is null)
                {
                    refused++;
                    continue;
                }

                var parsed = Passport.Parse(signed.Token, Options);
                Assert.Equal(parsed.RawHeader.ToArray(), signed.RawHeader.ToArray());
                Assert.Equal(parsed.RawClaims.ToArray(), signed.RawClaims.ToArray());
                Assert.Equal(parsed.Signature.ToArray(), signed.Signature.ToArray());
                Assert.Equal(parsed.CompactForm, signed.CompactForm);
                Assert.Equal(parsed.IsHeaderCanonical, signed.IsHeaderCanonical);
                Assert.Equal(parsed.AreClaimsCanonical, signed.AreClaimsCanonical);
                Assert.Equal(parsed.Header.ToCanonicalJson(), signed.Header.ToCanonicalJson());
                Assert.Equal(parsed.Claims.ToCanonicalJson(), signed.Claims.ToCanonicalJson());
                Assert.Equal(parsed.Claims.Attest, signed.Claims.Attest);
                Assert.Equal(parsed.Claims.OrigId, signed.Claims.OrigId);
                Assert.Equal(parsed.Claims.DivHi, signed.Claims.DivHi);
                Assert.True(signed.VerifySignature(publicKey));
                agreed++;
            }
        }

        // Both outcomes must have been exercised, or the loop proved nothing.
        Assert.InRange(agreed, 50, int.MaxValue);
        Assert.InRange(refused, 50, int.MaxValue);
    }

    private static bool ParserAccepts(PassportHeader header, PassportClaims claims)
    {
        var token = PassportTestKit.Craft(System.Text.Encoding.UTF8.GetString(header.ToCanonicalJson()), System.Text.Encoding.UTF8.GetString(claims.ToCanonicalJson()));
        return Passport.TryParse(token, out _, out _, Options);
    }
}
