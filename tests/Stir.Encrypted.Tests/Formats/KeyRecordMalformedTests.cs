using System.Text;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// The parser's table of malformed key records: each row breaks one rule of spec/protocol.md §10 in an
/// otherwise good, correctly signed token, and the exception names the field, the rule and the value.
/// </summary>
public sealed class KeyRecordMalformedTests : IDisposable
{
    private const string Pk = "cKc2l4lxKBBldllI-2YAbImMJazXiRaSI8pzNs9iFG8"; // the X25519 key derived from 32 zero bytes
    private static readonly long T0 = KeyRecordPki.T0.ToUnixTimeSeconds();
    private static readonly string Hpke = $"{{\"pk\":\"{Pk}\",\"suite\":\"x25519-sha256-chacha20poly1305\"}}";
    private readonly KeyRecordPki _pki = new();
    private readonly KeyRecordPki.Holder _holder;

    public KeyRecordMalformedTests()
    {
        _holder = _pki.Issue("carrier", "range:12025550000+10000");
    }

    public static TheoryData<string, string, string, string> ClaimRows() => new()
    {
        // name, claims JSON ({H} = the good hpke object, {T} = T0), field, reason
        { "no hpke", "{\"exp\":{T9},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.hpke", "missing; expected {\"suite\":..., \"pk\":...}" },
        { "hpke string", "{\"exp\":{T9},\"hpke\":\"x\",\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.hpke", "must be an object {\"suite\":..., \"pk\":...}, got \"x\"" },
        { "hpke extra", "{\"exp\":{T9},\"hpke\":{\"kid\":\"1\",\"pk\":\"" + Pk + "\",\"suite\":\"s\"},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.hpke.kid", "not allowed; hpke has exactly \"suite\" and \"pk\"" },
        { "suite empty", "{\"exp\":{T9},\"hpke\":{\"pk\":\"" + Pk + "\",\"suite\":\"\"},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.hpke.suite", "must be a suite name of 1 to 64 characters, got \"\"" },
        { "pk standard base64", "{\"exp\":{T9},\"hpke\":{\"pk\":\"ab+d\",\"suite\":\"s\"},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.hpke.pk", "base64url: character '+' at position 3: '+' belongs to standard base64; base64url uses '-' and '_' (RFC 4648 §5)" },
        { "pk padded", "{\"exp\":{T9},\"hpke\":{\"pk\":\"abc=\",\"suite\":\"s\"},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.hpke.pk", "base64url: character '=' at position 4: padding '=' is not allowed in base64url (RFC 7515 §2)" },
        { "iat string", "{\"exp\":{T9},\"hpke\":{H},\"iat\":\"{T}\",\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.iat", "\"{T}\" is not a NumericDate; it must be a JSON integer" },
        { "iat fraction", "{\"exp\":{T9},\"hpke\":{H},\"iat\":1.5,\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.iat", "1.5 is not an integer without fraction or exponent" },
        { "iat negative", "{\"exp\":{T9},\"hpke\":{H},\"iat\":-1,\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.iat", "-1 is negative; a NumericDate counts seconds since 1970" },
        { "no nbf", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.nbf", "missing; expected an integer NumericDate (RFC 7519 §2)" },
        { "exp past 9999", "{\"exp\":253402300800,\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.exp", "253402300800 is beyond the year 9999" },
        { "rid empty", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.rid", "\"\" has 0 characters; a rid has 1 to 64" },
        { "rid space", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"a b\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.rid", "\"a b\": character ' ' at 2 is not allowed (A-Z a-z 0-9 . _ -)" },
        { "rid 65", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"" + new string('r', 65) + "\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.rid", "\"" + new string('r', 56) + "... has 65 characters; a rid has 1 to 64" },
        { "rid number", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":7,\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.rid", "must be a string, got 7" },
        { "seq 0", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":0,\"tn\":[\"12025550123\"]}", "claims.seq", "0 is below 1 (seq counts publications of a rid from 1)" },
        { "seq 2^53", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":9007199254740992,\"tn\":[\"12025550123\"]}", "claims.seq", "9007199254740992 is above 9007199254740991 (2^53 − 1, the largest integer every JSON reader keeps exactly)" },
        { "seq exponent", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1e3,\"tn\":[\"12025550123\"]}", "claims.seq", "1e3 is not an integer without fraction or exponent" },
        { "seq huge", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":99999999999999999999,\"tn\":[\"12025550123\"]}", "claims.seq", "99999999999999999999 is out of range" },
        { "tn empty", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[]}", "claims.tn", "must be a non-empty array of canonical numbers (leave it out when there are none), got []" },
        { "tn plus", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"+12025550123\"]}", "claims.tn[0]", "\"+12025550123\": not a canonical number character (expected 0123456789#*) ('+' is dropped in the canonical form, RFC 8224 §8.3) at position 1 (character \"+\")" },
        { "tn twice", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\",\"12025550123\"]}", "claims.tn[1]", "12025550123 is listed twice" },
        { "tn not string", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[12025550123]}", "claims.tn[0]", "must be a canonical number string (RFC 8224 §8.3), got 12025550123" },
        { "tnr count 1", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tnr\":[{\"count\":1,\"start\":\"12025550100\"}]}", "claims.tnr[0].count", "1 is below 2 (RFC 8226 §9: count INTEGER (2..MAX); list a single number in tn)" },
        { "tnr carry", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tnr\":[{\"count\":2,\"start\":\"99999999999\"}]}", "claims.tnr[0].count", "99999999999+2 runs past 99999999999: a range stays within the length of its start (RFC 8226 §9)" },
        { "tnr star", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tnr\":[{\"count\":2,\"start\":\"*67\"}]}", "claims.tnr[0].start", "*67 holds '*' or '#'; a range starts with digits only" },
        { "tnr extra", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tnr\":[{\"count\":2,\"end\":\"1\",\"start\":\"12025550100\"}]}", "claims.tnr[0].end", "not allowed; a range has exactly \"start\" and \"count\" (RFC 8226 §9 TelephoneNumberRange)" },
        { "tnr twice", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tnr\":[{\"count\":2,\"start\":\"12025550100\"},{\"count\":2,\"start\":\"12025550100\"}]}", "claims.tnr[1]", "12025550100+2 is listed twice" },
        { "no numbers", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1}", "claims.tn", "missing, and so is \"tnr\": a key record names at least one number or range" },
        { "role admin", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"role\":\"admin\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.role", "\"admin\" is not one of \"carrier\", \"reseller\", \"enterprise\", \"user\"" },
        { "unknown claim", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"orig\":\"x\",\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.orig", "not a key record claim (allowed: exp, hpke, iat, nbf, rid, role, seq, tn, tnr; a revocation has rev)" },
        { "revocation extra", "{\"iat\":{T},\"rev\":true,\"rid\":\"r\",\"seq\":2,\"tn\":[\"12025550123\"]}", "claims.tn", "not allowed in a revocation, which has exactly iat, rev, rid and seq" },
        { "rev false", "{\"iat\":{T},\"rev\":false,\"rid\":\"r\",\"seq\":2}", "claims.rev", "false: a revocation has \"rev\":true, and a record has no \"rev\"" },
        { "revocation no seq", "{\"iat\":{T},\"rev\":true,\"rid\":\"r\"}", "claims.seq", "missing; expected the publication number of the rid, an integer from 1" },
        { "whitespace", "{\"exp\":{T9}, \"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims", "not in canonical JSON form (members sorted, no whitespace; spec/protocol.md §10), so the same claims could be signed in several spellings" },
        { "unsorted", "{\"hpke\":{H},\"exp\":{T9},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims", "not in canonical JSON form (members sorted, no whitespace; spec/protocol.md §10), so the same claims could be signed in several spellings" },
        { "duplicate", "{\"exp\":{T9},\"hpke\":{H},\"iat\":{T},\"nbf\":{T},\"rid\":\"r\",\"rid\":\"s\",\"seq\":1,\"tn\":[\"12025550123\"]}", "claims.rid", "duplicate member name \"rid\" at the top level (RFC 8225 §9; RFC 7515 §4)" },
        { "not an object", "[1]", "claims", "is a JSON array; expected an object" },
        { "not JSON", "{\"exp\":", "claims", "not valid JSON at byte 8: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed" },
    };

    [Theory]
    [MemberData(nameof(ClaimRows))]
    public void Parse_ClaimsBreakingARule_NamesFieldAndRule(string name, string claims, string field, string reason)
    {
        var json = Fill(claims);
        var token = _holder.SignRaw(json);

        var e = Assert.Throws<KeyRecordFormatException>(() => KeyRecord.Parse(token));

        Assert.True(field == e.Field, $"{name}: field {e.Field}, message {e.Message}");
        Assert.Equal(Fill(reason), e.Reason);
        Assert.Equal($"key record \"{field}\": {Fill(reason)}", e.Message);
    }

    public static TheoryData<string, string, string, string> HeaderRows() => new()
    {
        // name, header JSON ({X} = the holder's x5c array), field, reason
        { "alg RS256", "{\"alg\":\"RS256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":{X}}", "header.alg", "\"RS256\" is not accepted; key records are signed with \"ES256\" only (RFC 7518 §3.4)" },
        { "alg none", "{\"alg\":\"none\",\"typ\":\"stir-key-record+jwt\",\"x5c\":{X}}", "header.alg", "\"none\" is not accepted; key records are signed with \"ES256\" only (RFC 7518 §3.4)" },
        { "typ passport", "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5c\":{X}}", "header.typ", "\"passport\" is not \"stir-key-record+jwt\" (a PASSporT or another JWS is not a key record)" },
        { "no typ", "{\"alg\":\"ES256\",\"x5c\":{X}}", "header.typ", "missing; expected \"stir-key-record+jwt\"" },
        { "x5u", "{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":{X},\"x5u\":\"https://x.example/c.pem\"}", "header.x5u", "not allowed; a key record header has exactly \"alg\", \"typ\" and \"x5c\" (spec/protocol.md §10) (a record names its signer by the x5c it carries, never by x5u)" },
        { "jwk", "{\"alg\":\"ES256\",\"jwk\":{},\"typ\":\"stir-key-record+jwt\",\"x5c\":{X}}", "header.jwk", "not allowed; a key record header has exactly \"alg\", \"typ\" and \"x5c\" (spec/protocol.md §10) (a record names its signer by the x5c it carries, never by jwk)" },
        { "x5c empty", "{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":[]}", "header.x5c", "must be a non-empty array of base64 DER certificates (RFC 7515 §4.1.6), got []" },
        { "x5c 11", "{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":[\"MA==\",\"MA==\",\"MA==\",\"MA==\",\"MA==\",\"MA==\",\"MA==\",\"MA==\",\"MA==\",\"MA==\",\"MA==\"]}", "header.x5c", "11 certificates (at most 10)" },
        { "x5c base64url", "{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":[\"ab-_\"]}", "header.x5c[0]", "base64: character '-' at position 3: '-' belongs to base64url; x5c uses standard base64 (RFC 7515 §4.1.6)" },
        { "x5c not DER", "{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":[\"AQID\"]}", "header.x5c[0]", "expected a DER SEQUENCE (0x30), got 0x01" },
        { "x5c truncated DER", "{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":[\"MIIB\"]}", "header.x5c[0]", "not DER: The ASN.1 value is invalid." },
        { "whitespace", "{\"alg\":\"ES256\", \"typ\":\"stir-key-record+jwt\",\"x5c\":{X}}", "header", "not in canonical JSON form (members sorted, no whitespace; spec/protocol.md §10), so the same header could be signed in several spellings" },
        { "BOM", "\uFEFF{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":{X}}", "header", "starts with a UTF-8 byte order mark, which JSON text must not have (RFC 8259 §8.1)" },
    };

    [Theory]
    [MemberData(nameof(HeaderRows))]
    public void Parse_HeaderBreakingARule_NamesFieldAndRule(string name, string header, string field, string reason)
    {
        var x5c = "[" + string.Join(',', _holder.Chain.Select(c => $"\"{Convert.ToBase64String(c.RawData)}\"")) + "]";
        var token = _holder.SignRaw(_holder.Record("r", 1, ["12025550123"]).Token.Split('.')[1] is var b64 ? Decode(b64) : string.Empty, header.Replace("{X}", x5c, StringComparison.Ordinal));

        var e = Assert.Throws<KeyRecordFormatException>(() => KeyRecord.Parse(token));

        Assert.True(field == e.Field, $"{name}: field {e.Field}, message {e.Message}");
        Assert.Equal(reason, e.Reason);
    }

    public static TheoryData<string, string, string> TokenRows() => new()
    {
        { string.Empty, "token", "empty" },
        { "abc.def", "token", "expected 3 segments (header.claims.signature) separated by '.', found 2" },
        { "a.b.c.d", "token", "expected 3 segments (header.claims.signature) separated by '.', found 4" },
        { "..AAAA", "header", "empty segment" },
        { "e30.e30.AAAA", "signature", "an ES256 signature is 64 bytes (R || S, RFC 7518 §3.4); this one has 3" },
        { "e30=.e30." + new string('A', 86), "header", "base64url: character '=' at position 4: padding '=' is not allowed in base64url (RFC 7515 §2)" },
        { "e30.e30." + new string('A', 85) + "B", "signature", "base64url: non-canonical encoding: the last character 'B' sets unused trailing bits (RFC 4648 §3.5)" },
    };

    [Theory]
    [MemberData(nameof(TokenRows))]
    public void Parse_BrokenJws_NamesThePart(string token, string field, string reason)
    {
        var e = Assert.Throws<KeyRecordFormatException>(() => KeyRecord.Parse(token));

        Assert.Equal(field, e.Field);
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void Parse_TokenOverTheLimit_IsRefusedBeforeDecoding()
    {
        var e = Assert.Throws<KeyRecordFormatException>(() => KeyRecord.Parse(new string('A', KeyRecord.MaxTokenLength + 1)));

        Assert.Equal("key record \"token\": 16385 characters exceed the limit of 16384", e.Message);
    }

    [Fact]
    public void Parse_MoreNumbersOrRangesThanTheLimit_IsRefused()
    {
        var numbers = string.Join(',', Enumerable.Range(0, KeyRecord.MaxNumbers + 1).Select(i => $"\"1202555{i:D4}\""));
        var tooManyNumbers = _holder.SignRaw(Fill($"{{\"exp\":{{T9}},\"hpke\":{{H}},\"iat\":{{T}},\"nbf\":{{T}},\"rid\":\"r\",\"seq\":1,\"tn\":[{numbers}]}}"));
        var ranges = string.Join(',', Enumerable.Range(0, KeyRecord.MaxRanges + 1).Select(i => $"{{\"count\":2,\"start\":\"1202555{i * 2:D4}\"}}"));
        var tooManyRanges = _holder.SignRaw(Fill($"{{\"exp\":{{T9}},\"hpke\":{{H}},\"iat\":{{T}},\"nbf\":{{T}},\"rid\":\"r\",\"seq\":1,\"tnr\":[{ranges}]}}"));

        Assert.Equal("257 numbers; a record lists at most 256 (use tnr for blocks)", Assert.Throws<KeyRecordFormatException>(() => KeyRecord.Parse(tooManyNumbers)).Reason);
        Assert.Equal("65 ranges; a record lists at most 64", Assert.Throws<KeyRecordFormatException>(() => KeyRecord.Parse(tooManyRanges)).Reason);
    }

    [Fact]
    public void Parse_AtTheLimits_IsAccepted()
    {
        var numbers = string.Join(',', Enumerable.Range(0, KeyRecord.MaxNumbers).Select(i => $"\"1202555{i:D4}\""));
        var token = _holder.SignRaw(Fill($"{{\"exp\":{{T9}},\"hpke\":{{H}},\"iat\":{{T}},\"nbf\":{{T}},\"rid\":\"{new string('r', 64)}\",\"seq\":9007199254740991,\"tn\":[{numbers}]}}"));

        var record = KeyRecord.Parse(token);

        Assert.Equal(KeyRecord.MaxNumbers, record.Numbers.Count);
        Assert.Equal(KeyRecord.MaxSeq, record.Seq);
    }

    public void Dispose() => _pki.Dispose();

    private static string Fill(string text) => text
        .Replace("{H}", Hpke, StringComparison.Ordinal)
        .Replace("{T9}", (T0 + 86400).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{T}", T0.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static string Decode(string segment) => Encoding.UTF8.GetString(StrictBase64.TryDecodeUrl(segment, out var bytes, out _) ? bytes : []);

    [Fact]
    public void ThePkConstant_IsTheKeyDerivedFromZeros()
    {
        using var key = HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, new byte[32]);

        Assert.Equal(Pk, StrictBase64.EncodeUrl(key.PublicKey.Export()));
    }
}
