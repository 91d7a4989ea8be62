using System.Text;
using Stir.Encrypted.Passports;
using static Stir.Encrypted.Tests.Formats.PassportTestKit;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// The parser's table of malformed PASSporTs: each row is refused with <see cref="PassportFormatException"/>
/// naming the part, the field, the rule and the value, exactly as written here.
/// </summary>
public sealed class PassportMalformedTests
{
    private static readonly string Sig = DummySignature;

    private static readonly Dictionary<string, (string Token, PassportPart Part, string Field, string Message)> Rows = new()
    {
        // Token shape.
        ["empty"] = ("", PassportPart.Token, "", "token: empty"),
        ["two segments"] = ($"{B64(GoodHeader)}.{B64(GoodClaims)}", PassportPart.Token, "", "token: expected 3 segments (header.claims.signature) separated by '.', found 2"),
        ["four segments"] = ($"{Craft(GoodHeader, GoodClaims)}.AAAA", PassportPart.Token, "", "token: expected 3 segments (header.claims.signature) separated by '.', found 4"),
        ["compact form"] = ($"..{Sig}", PassportPart.Token, "", "token: compact form (\"..signature\"): the header and claims must first be rebuilt from the signaling (RFC 8225 §7, Passport.FromCompactForm)"),
        ["empty header segment"] = ($".{B64(GoodClaims)}.{Sig}", PassportPart.Header, "", "header: empty segment"),

        // base64url.
        ["padding"] = ($"{B64(GoodHeader)}=.{B64(GoodClaims)}.{Sig}", PassportPart.Header, "", $"header: base64url: character '=' at position {B64(GoodHeader).Length + 1}: padding '=' is not allowed in base64url (RFC 7515 §2)"),
        ["plus in base64url"] = ($"{B64(GoodHeader)}.{B64(GoodClaims)}.+{Sig[1..]}", PassportPart.Signature, "", "signature: base64url: character '+' at position 1: '+' belongs to standard base64; base64url uses '-' and '_' (RFC 4648 §5)"),
        ["slash in base64url"] = ($"{B64(GoodHeader)}.{B64(GoodClaims)}.{Sig[..10]}/{Sig[11..]}", PassportPart.Signature, "", "signature: base64url: character '/' at position 11: '/' belongs to standard base64; base64url uses '-' and '_' (RFC 4648 §5)"),
        ["space in base64url"] = ($"{B64(GoodHeader)}.{B64(GoodClaims)}.{Sig[..4]} {Sig[5..]}", PassportPart.Signature, "", "signature: base64url: character ' ' at position 5: whitespace is not allowed"),
        ["non-canonical trailing bits"] = ($"{B64(GoodHeader)}.{B64(GoodClaims)}.{Sig[..^1]}B", PassportPart.Signature, "", "signature: base64url: non-canonical encoding: the last character 'B' sets unused trailing bits (RFC 4648 §3.5)"),
        ["4n+1 length"] = ($"{B64(GoodHeader)}.{B64(GoodClaims)}.{Sig}AAA", PassportPart.Signature, "", "signature: base64url: length 89 leaves a single character over (4n+1 is never a valid encoding)"),
        ["63-byte signature"] = (Craft(GoodHeader, GoodClaims, B64(new byte[63])), PassportPart.Signature, "", "signature: an ES256 signature is 64 bytes (R || S, RFC 7518 §3.4); this one has 63"),
        ["65-byte signature"] = (Craft(GoodHeader, GoodClaims, B64(new byte[65])), PassportPart.Signature, "", "signature: an ES256 signature is 64 bytes (R || S, RFC 7518 §3.4); this one has 65"),

        // JSON.
        ["header not an object"] = (Craft("[\"ES256\"]", GoodClaims), PassportPart.Header, "", "header: is a JSON array; expected an object"),
        ["trailing comma"] = (Craft("{\"alg\":\"ES256\",}", GoodClaims), PassportPart.Header, "", "header: not valid JSON at byte 16: ..."),
        ["byte order mark"] = ($"{B64([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(GoodHeader)])}.{B64(GoodClaims)}.{Sig}", PassportPart.Header, "", "header: starts with a UTF-8 byte order mark, which JSON text must not have (RFC 8259 §8.1)"),
        ["invalid UTF-8"] = ($"{B64([.. Encoding.UTF8.GetBytes("{\"alg\":\"ES"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")])}.{B64(GoodClaims)}.{Sig}", PassportPart.Header, "", "header: not valid UTF-8 (invalid sequence at byte 11)"),
        ["lone surrogate"] = (Craft(GoodHeader, GoodClaims.Replace("}}", "},\"x\":\"\\ud800\"}", StringComparison.Ordinal)), PassportPart.Claims, "x", "claims \"x\": a string escapes an unpaired UTF-16 surrogate (RFC 8785 §3.2.2.2 requires rejecting it)"),
        ["duplicate key at top level"] = (Craft("{\"alg\":\"ES256\",\"alg\":\"none\",\"typ\":\"passport\"}", GoodClaims), PassportPart.Header, "alg", "header \"alg\": duplicate member name \"alg\" at the top level (RFC 8225 §9; RFC 7515 §4)"),
        ["duplicate key at depth 2"] = (Craft(GoodHeader, "{\"dest\":{\"tn\":[\"1\"],\"tn\":[\"2\"]},\"iat\":1800000000,\"orig\":{\"tn\":\"12025550123\"}}"), PassportPart.Claims, "dest.tn", "claims \"dest.tn\": duplicate member name \"tn\" inside \"dest\" (RFC 8225 §9; RFC 7515 §4)"),
        ["duplicate key spelled with an escape"] = (Craft(GoodHeader, "{\"dest\":{\"tn\":[\"1\"]},\"iat\":1,\"i\\u0061t\":2,\"orig\":{\"tn\":\"1\"}}"), PassportPart.Claims, "iat", "claims \"iat\": duplicate member name \"iat\" at the top level (RFC 8225 §9; RFC 7515 §4)"),

        // Header.
        ["alg none"] = (Craft("{\"alg\":\"none\",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "alg", "header \"alg\": \"none\" is not accepted; only \"ES256\" is (RFC 8225 §4.2, RFC 7518 §3.4)"),
        ["alg HS256"] = (Craft("{\"alg\":\"HS256\",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "alg", "header \"alg\": \"HS256\" is not accepted; only \"ES256\" is (RFC 8225 §4.2, RFC 7518 §3.4)"),
        ["alg RS256"] = (Craft("{\"alg\":\"RS256\",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "alg", "header \"alg\": \"RS256\" is not accepted; only \"ES256\" is (RFC 8225 §4.2, RFC 7518 §3.4)"),
        ["alg with a trailing space"] = (Craft("{\"alg\":\"ES256 \",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "alg", "header \"alg\": \"ES256 \" is not accepted; only \"ES256\" is (RFC 8225 §4.2, RFC 7518 §3.4)"),
        ["alg lower case"] = (Craft("{\"alg\":\"es256\",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "alg", "header \"alg\": \"es256\" is not accepted; only \"ES256\" is (RFC 8225 §4.2, RFC 7518 §3.4)"),
        ["alg missing"] = (Craft("{\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "alg", "header \"alg\": missing; a PASSporT is signed with \"ES256\" (RFC 8225 §4.2)"),
        ["alg not a string"] = (Craft("{\"alg\":256,\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "alg", "header \"alg\": must be the string \"ES256\", got 256"),
        ["typ JWT"] = (Craft("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "typ", "header \"typ\": \"JWT\" is not \"passport\" (RFC 8225 §4.1)"),
        ["typ missing"] = (Craft("{\"alg\":\"ES256\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "typ", "header \"typ\": missing; a PASSporT has \"typ\":\"passport\" (RFC 8225 §4.1)"),
        ["unknown ppt"] = (Craft("{\"alg\":\"ES256\",\"ppt\":\"foo\",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "ppt", "header \"ppt\": \"foo\" is not a supported PASSporT type (supported: shaken, div, div-o); RFC 8225 §8.1 requires rejecting it"),
        ["crit"] = (Craft("{\"alg\":\"ES256\",\"crit\":[\"b64\"],\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "crit", "header \"crit\": present ([\"b64\"]); no critical JWS extension is supported, so the PASSporT is rejected (RFC 7515 §4.1.11)"),
        ["jwk"] = (Craft("{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"},\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "jwk", "header \"jwk\": present ({\"kty\":\"EC\"}); a PASSporT names its signer by certificate (x5u/x5c), never by an embedded key (key injection)"),
        ["jku"] = (Craft("{\"alg\":\"ES256\",\"jku\":\"https://evil.example/k\",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims), PassportPart.Header, "jku", "header \"jku\": present (\"https://evil.example/k\"); a PASSporT names its signer by certificate (x5u/x5c), never by a JWK Set URL (key injection)"),
        ["missing x5u and x5c"] = (Craft("{\"alg\":\"ES256\",\"typ\":\"passport\"}", GoodClaims), PassportPart.Header, "x5u", "header \"x5u\": missing, and so is \"x5c\": the signer's certificate cannot be found (RFC 8225 §4.3)"),
        ["http x5u"] = (Craft("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"http://cert.example.org/c.pem\"}", GoodClaims), PassportPart.Header, "x5u", "header \"x5u\": \"http://cert.example.org/c.pem\" must be an absolute https URL (RFC 8225 §4.3, RFC 7515 §4.1.5)"),
        ["http x5u on loopback without the option"] = (Craft("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"http://127.0.0.1:8080/c.pem\"}", GoodClaims), PassportPart.Header, "x5u", "header \"x5u\": \"http://127.0.0.1:8080/c.pem\" must be an absolute https URL (RFC 8225 §4.3, RFC 7515 §4.1.5)"),
        ["relative x5u"] = (Craft("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"/c.pem\"}", GoodClaims), PassportPart.Header, "x5u", "header \"x5u\": \"/c.pem\" must be an absolute https URL (RFC 8225 §4.3, RFC 7515 §4.1.5)"),
        ["empty x5c"] = (Craft("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5c\":[]}", GoodClaims), PassportPart.Header, "x5c", "header \"x5c\": must be a non-empty array of base64 DER certificates (RFC 7515 §4.1.6), got []"),
        ["x5c in base64url"] = (Craft("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5c\":[\"MII-\"]}", GoodClaims), PassportPart.Header, "x5c[0]", "header \"x5c[0]\": base64: character '-' at position 4: '-' belongs to base64url; x5c uses standard base64 (RFC 7515 §4.1.6)"),
        ["x5c without padding"] = (Craft("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5c\":[\"MIIBAA==\",\"MIIB\",\"MII\"]}", GoodClaims), PassportPart.Header, "x5c[2]", "header \"x5c[2]\": base64: length 3 is not a multiple of 4 (padding is required, RFC 4648 §4)"),

        // Claims.
        ["iat string"] = (Craft(GoodHeader, GoodClaims.Replace("1800000000", "\"1800000000\"", StringComparison.Ordinal)), PassportPart.Claims, "iat", "claims \"iat\": the string \"1800000000\" is not a NumericDate; it must be a JSON integer (RFC 8225 §5.1.1, RFC 7519 §2)"),
        ["iat float"] = (Craft(GoodHeader, GoodClaims.Replace("1800000000", "1800000000.0", StringComparison.Ordinal)), PassportPart.Claims, "iat", "claims \"iat\": 1800000000.0 is not an integer; NumericDates in a PASSporT are integers without fraction or exponent (RFC 8225 §9 rule 4)"),
        ["iat exponent"] = (Craft(GoodHeader, GoodClaims.Replace("1800000000", "1.8e9", StringComparison.Ordinal)), PassportPart.Claims, "iat", "claims \"iat\": 1.8e9 is not an integer; NumericDates in a PASSporT are integers without fraction or exponent (RFC 8225 §9 rule 4)"),
        ["iat negative"] = (Craft(GoodHeader, GoodClaims.Replace("1800000000", "-1", StringComparison.Ordinal)), PassportPart.Claims, "iat", "claims \"iat\": -1 is negative; a call cannot originate before 1970"),
        ["iat huge"] = (Craft(GoodHeader, GoodClaims.Replace("1800000000", "99999999999999999999", StringComparison.Ordinal)), PassportPart.Claims, "iat", "claims \"iat\": 99999999999999999999 is beyond the year 9999"),
        ["iat missing"] = (Craft(GoodHeader, "{\"dest\":{\"tn\":[\"1\"]},\"orig\":{\"tn\":\"1\"}}"), PassportPart.Claims, "iat", "claims \"iat\": missing; the time of origination as an integer NumericDate (RFC 8225 §5.1.1)"),
        ["orig with an extra key"] = (Craft(GoodHeader, GoodClaims.Replace("{\"tn\":\"12025550123\"}", "{\"tn\":\"12025550123\",\"name\":\"x\"}", StringComparison.Ordinal)), PassportPart.Claims, "orig", "claims \"orig\": unexpected key \"name\"; allowed: \"tn\" or \"uri\" (RFC 8225 §5.2.1)"),
        ["orig with tn and uri"] = (Craft(GoodHeader, GoodClaims.Replace("{\"tn\":\"12025550123\"}", "{\"tn\":\"12025550123\",\"uri\":\"sip:a@b\"}", StringComparison.Ordinal)), PassportPart.Claims, "orig", "claims \"orig\": has both \"tn\" and \"uri\"; exactly one identity is allowed (RFC 8225 §5.2.1)"),
        ["orig empty"] = (Craft(GoodHeader, GoodClaims.Replace("{\"tn\":\"12025550123\"}", "{}", StringComparison.Ordinal)), PassportPart.Claims, "orig", "claims \"orig\": has no identity; expected \"tn\" or \"uri\" (RFC 8225 §5.2.1)"),
        ["orig a JSON-encoded string"] = (Craft(GoodHeader, GoodClaims.Replace("{\"tn\":\"12025550123\"}", "\"{\\\"tn\\\":\\\"1\\\"}\"", StringComparison.Ordinal)), PassportPart.Claims, "orig", "claims \"orig\": expected a JSON object {\"tn\":...} or {\"uri\":...}, got a string \"{\\\"tn\\\":\\\"1\\\"}\" (RFC 8225 §5.2.1)"),
        ["orig tn with plus"] = (Craft(GoodHeader, GoodClaims.Replace("\"12025550123\"", "\"+12025550123\"", StringComparison.Ordinal)), PassportPart.Claims, "orig.tn", "claims \"orig.tn\": \"+12025550123\": not a canonical number character (expected 0123456789#*) ('+' is dropped in the canonical form, RFC 8224 §8.3) at position 1 (character \"+\") (RFC 8224 §8.3)"),
        ["orig tn with a letter"] = (Craft(GoodHeader, GoodClaims.Replace("\"12025550123\"", "\"1202555x123\"", StringComparison.Ordinal)), PassportPart.Claims, "orig.tn", "claims \"orig.tn\": \"1202555x123\": not a canonical number character (expected 0123456789#*) at position 8 (character \"x\") (RFC 8224 §8.3)"),
        ["orig tn a number"] = (Craft(GoodHeader, GoodClaims.Replace("\"12025550123\"", "12025550123", StringComparison.Ordinal)), PassportPart.Claims, "orig.tn", "claims \"orig.tn\": must be a string, got the number 12025550123"),
        ["orig uri without scheme"] = (Craft(GoodHeader, GoodClaims.Replace("{\"tn\":\"12025550123\"}", "{\"uri\":\"alice@example.com\"}", StringComparison.Ordinal)), PassportPart.Claims, "orig.uri", "claims \"orig.uri\": \"alice@example.com\" is not a URI: no scheme (expected e.g. sip:user@host) (RFC 8225 §5.2.1.2)"),
        ["empty dest"] = (Craft(GoodHeader, GoodClaims.Replace("{\"tn\":[\"12025550199\"]}", "{}", StringComparison.Ordinal)), PassportPart.Claims, "dest", "claims \"dest\": is empty; at least one \"tn\" or \"uri\" destination is required (RFC 8225 §5.2.1)"),
        ["empty dest array"] = (Craft(GoodHeader, GoodClaims.Replace("[\"12025550199\"]", "[]", StringComparison.Ordinal)), PassportPart.Claims, "dest.tn", "claims \"dest.tn\": expected a non-empty array of strings, got an array [] (RFC 8225 §5.2.1)"),
        ["dest tn a string"] = (Craft(GoodHeader, GoodClaims.Replace("[\"12025550199\"]", "\"12025550199\"", StringComparison.Ordinal)), PassportPart.Claims, "dest.tn", "claims \"dest.tn\": expected a non-empty array of strings, got a string \"12025550199\" (RFC 8225 §5.2.1)"),
        ["dest bad tn position"] = (Craft(GoodHeader, GoodClaims.Replace("[\"12025550199\"]", "[\"12025550199\",\"1202-555\"]", StringComparison.Ordinal)), PassportPart.Claims, "dest.tn[1]", "claims \"dest.tn[1]\": \"1202-555\": not a canonical number character (expected 0123456789#*) at position 5 (character \"-\") (RFC 8224 §8.3)"),
        ["dest unknown key"] = (Craft(GoodHeader, GoodClaims.Replace("{\"tn\":[\"12025550199\"]}", "{\"tn\":[\"12025550199\"],\"email\":[\"a@b\"]}", StringComparison.Ordinal)), PassportPart.Claims, "dest", "claims \"dest\": unexpected key \"email\"; allowed: \"tn\" and \"uri\" (RFC 8225 §5.2.1)"),
        ["non-ASCII claim name"] = (Craft(GoodHeader, GoodClaims.Replace("}}", "},\"é\":1}", StringComparison.Ordinal)), PassportPart.Claims, "", "claims: claim name \"é\" is not ASCII (RFC 8225 §5)"),

        // SHAKEN, div, div-o.
        ["shaken without attest"] = (Craft(Shaken, GoodClaims.Replace("}}", "},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}", StringComparison.Ordinal)), PassportPart.Claims, "attest", "claims \"attest\": missing; expected a \"shaken\" PASSporT's attestation level \"A\", \"B\" or \"C\" (RFC 8588 §4)"),
        ["shaken attest D"] = (Craft(Shaken, GoodClaims.Replace("{\"dest\"", "{\"attest\":\"D\",\"dest\"", StringComparison.Ordinal).Replace("}}", "},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}", StringComparison.Ordinal)), PassportPart.Claims, "attest", "claims \"attest\": \"D\" is not one of \"A\", \"B\", \"C\" (RFC 8588 §4)"),
        ["shaken origid not a UUID"] = (Craft(Shaken, GoodClaims.Replace("{\"dest\"", "{\"attest\":\"A\",\"dest\"", StringComparison.Ordinal).Replace("}}", "},\"origid\":\"123e4567e89b12d3a456426655440000\"}", StringComparison.Ordinal)), PassportPart.Claims, "origid", "claims \"origid\": \"123e4567e89b12d3a456426655440000\" is not a UUID (8-4-4-4-12 hexadecimal digits, RFC 8588 §5, RFC 4122 §3)"),
        ["div claim without ppt"] = (Craft(GoodHeader, GoodClaims.Replace("\"iat\"", "\"div\":{\"tn\":\"12025550100\"},\"iat\"", StringComparison.Ordinal)), PassportPart.Claims, "div", "claims \"div\": only \"div\" and \"div-o\" PASSporTs carry \"div\" (RFC 8946 §3); this one has ppt none"),
        ["ppt div without div"] = (Craft(Div, GoodClaims), PassportPart.Claims, "div", "claims \"div\": missing; expected a \"div\" PASSporT's diverted-from identity {\"tn\":...} or {\"uri\":...} (RFC 8946 §3)"),
        ["div with an unknown key"] = (Craft(Div, GoodClaims.Replace("\"iat\"", "\"div\":{\"tn\":\"12025550100\",\"reason\":\"busy\"},\"iat\"", StringComparison.Ordinal)), PassportPart.Claims, "div", "claims \"div\": unexpected key \"reason\"; allowed: \"tn\" or \"uri\", and \"hi\" (RFC 8225 §5.2.1, RFC 8946 §8)"),
        ["div with opt"] = (Craft(Div, GoodClaims.Replace("\"iat\"", "\"div\":{\"tn\":\"12025550100\"},\"iat\"", StringComparison.Ordinal).Replace("}}", "},\"opt\":\"x\"}", StringComparison.Ordinal)), PassportPart.Claims, "opt", "claims \"opt\": only \"div-o\" PASSporTs carry \"opt\" (RFC 8946 §3, §5); this one has ppt \"div\""),
        ["div-o without opt"] = (Craft(DivO, GoodClaims.Replace("\"iat\"", "\"div\":{\"tn\":\"12025550100\"},\"iat\"", StringComparison.Ordinal)), PassportPart.Claims, "opt", "claims \"opt\": missing; expected a \"div-o\" PASSporT's original PASSporT in full form (RFC 8946 §5)"),
        ["div-o with a compact opt"] = (Craft(DivO, GoodClaims.Replace("\"iat\"", "\"div\":{\"tn\":\"12025550100\"},\"iat\"", StringComparison.Ordinal).Replace("}}", $"}},\"opt\":\"..{Sig}\"}}", StringComparison.Ordinal)), PassportPart.Claims, "opt", "claims \"opt\": holds a compact-form PASSporT; opt MUST NOT (RFC 8946 §6)"),
        ["div-o with a malformed opt"] = (Craft(DivO, GoodClaims.Replace("\"iat\"", "\"div\":{\"tn\":\"12025550100\"},\"iat\"", StringComparison.Ordinal).Replace("}}", $"}},\"opt\":\"{Craft("{\"alg\":\"none\",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}", GoodClaims)}\"}}", StringComparison.Ordinal)), PassportPart.Claims, "opt", "claims \"opt\": the nested PASSporT is malformed: header \"alg\": \"none\" is not accepted; only \"ES256\" is (RFC 8225 §4.2, RFC 7518 §3.4)"),
    };

    private const string Shaken = "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.net/sp.pem\"}";

    private const string Div = "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.net/sp.pem\"}";

    private const string DivO = "{\"alg\":\"ES256\",\"ppt\":\"div-o\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.net/sp.pem\"}";

    public static TheoryData<string> Names() => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Parse_MalformedToken_ThrowsNamingPartFieldRuleAndValue(string name)
    {
        var (token, part, field, message) = Rows[name];

        var error = Assert.Throws<PassportFormatException>(() => Passport.Parse(token));

        if (message.EndsWith("...", StringComparison.Ordinal))
        {
            // The rest is System.Text.Json's own wording of the syntax error.
            Assert.StartsWith(message[..^3], error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(message, error.Message);
        }

        Assert.Equal(part, error.Part);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Parse_GoodToken_IsAccepted_SoEveryRowFailsForItsOwnReason()
    {
        var passport = Passport.Parse(Craft(GoodHeader, GoodClaims));

        Assert.Equal("12025550123", passport.Claims.Orig.Tn!.Value);
    }

    [Fact]
    public void Parse_HttpX5uOnLoopback_IsAcceptedOnlyWithTheOption()
    {
        var token = Craft("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"http://127.0.0.1:8080/c.pem\"}", GoodClaims);

        var passport = Passport.Parse(token, new PassportParseOptions { AllowLoopbackHttpX5u = true });

        Assert.Equal("http://127.0.0.1:8080/c.pem", passport.Header.X5u);
        Assert.Throws<PassportFormatException>(() => Passport.Parse(
            Craft("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"http://10.0.0.1/c.pem\"}", GoodClaims),
            new PassportParseOptions { AllowLoopbackHttpX5u = true }));
    }

    [Fact]
    public void Parse_SeveralSchemaProblems_AreAllReported()
    {
        var token = Craft("{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"dest\":{},\"iat\":\"1\",\"orig\":\"x\"}");

        var error = Assert.Throws<PassportFormatException>(() => Passport.Parse(token));

        Assert.Equal(
            ["header alg", "header typ", "header x5u", "claims iat", "claims orig", "claims dest"],
            error.Problems.Select(p => $"{p.Part.ToString().ToLowerInvariant()} {p.Field}"));
        Assert.Equal(string.Join("; ", error.Problems.Select(p => p.Message)), error.Message);
    }

    [Theory]
    [InlineData("ES256", true)]
    [InlineData("none", false)]
    public void Parse_UnknownHeaderParameters_AreIgnoredAsJoseSays(string alg, bool ok)
    {
        // RFC 7515 §4: unknown header parameters are ignored unless listed in crit.
        var token = Craft($"{{\"alg\":\"{alg}\",\"kid\":\"k1\",\"issuer\":\"x\",\"typ\":\"passport\",\"x5u\":\"https://a.example/c\"}}", GoodClaims);

        Assert.Equal(ok, Passport.TryParse(token, out _, out _));
    }

    [Fact]
    public void Parse_ExtensionClaims_ArePreservedRaw()
    {
        var token = Craft(GoodHeader, GoodClaims.Replace("}}", "},\"rcd\":{\"nam\":\"Ann \\\"A+\\\"\"},\"crn\":\"Meeting\"}", StringComparison.Ordinal));

        var passport = Passport.Parse(token);

        Assert.Equal(["crn", "rcd"], passport.Claims.Extensions.Keys);
        Assert.Equal("Ann \"A+\"", passport.Claims.Extensions["rcd"].GetProperty("nam").GetString());
    }
}
