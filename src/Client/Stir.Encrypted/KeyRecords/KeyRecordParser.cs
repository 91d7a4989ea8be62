using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Jose;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// The key record schema of spec/protocol.md §10, on the shared strict JWS reader (<see cref="CompactJws"/>).
/// One byte form per content: the header and the claims must be canonical JSON (RFC 8225 §9 rules), members
/// outside the schema are refused, and the first broken rule stops the parse.
/// </summary>
internal static class KeyRecordParser
{
    private const int MaxShownValue = 60;
    private static readonly string[] HeaderMembers = ["alg", "typ", "x5c"];
    private static readonly HashSet<string> RecordMembers = new(StringComparer.Ordinal) { "hpke", "iat", "nbf", "exp", "rid", "seq", "tn", "tnr", "role" };
    private static readonly string[] RevocationMembers = ["iat", "rev", "rid", "seq"];

    public static KeyRecord Parse(string token)
    {
        CompactJws jws;
        try
        {
            jws = CompactJws.Decode(token, KeyRecord.MaxTokenLength, KeyRecord.MaxHeaderBytes);
        }
        catch (JwsFormatException e)
        {
            throw new KeyRecordFormatException(Join(PartName(e.Part), e.Field), e.Reason);
        }

        using (jws)
        {
            var (x5c, chain, holder) = ParseHeader(jws.Header.RootElement);
            if (!jws.IsHeaderCanonical)
            {
                throw new KeyRecordFormatException("header", "not in canonical JSON form (members sorted, no whitespace; spec/protocol.md §10), so the same header could be signed in several spellings");
            }

            var claims = jws.Payload.RootElement;
            var record = claims.TryGetProperty("rev", out _)
                ? ParseRevocation(claims, jws, x5c, chain, holder)
                : ParseRecord(claims, jws, x5c, chain, holder);
            if (!jws.IsPayloadCanonical)
            {
                throw new KeyRecordFormatException("claims", "not in canonical JSON form (members sorted, no whitespace; spec/protocol.md §10), so the same claims could be signed in several spellings");
            }

            return record;
        }
    }

    // Header: exactly {"alg":"ES256","typ":"stir-key-record+jwt","x5c":[...]} (spec §10). x5c only: a record must
    // carry its own chain, so that whoever holds it can verify it without fetching anything.
    private static (List<string> X5c, byte[][] Chain, string Holder) ParseHeader(JsonElement header)
    {
        foreach (var member in header.EnumerateObject())
        {
            if (Array.IndexOf(HeaderMembers, member.Name) < 0)
            {
                throw new KeyRecordFormatException(Join("header", member.Name), $"not allowed; a key record header has exactly \"alg\", \"typ\" and \"x5c\" (spec/protocol.md §10){KeyHint(member.Name)}");
            }
        }

        var alg = Required(header, "header", "alg", "\"ES256\"");
        if (alg.ValueKind != JsonValueKind.String || alg.GetString() != "ES256")
        {
            throw new KeyRecordFormatException("header.alg", $"{Show(alg)} is not accepted; key records are signed with \"ES256\" only (RFC 7518 §3.4)");
        }

        var typ = Required(header, "header", "typ", $"\"{KeyRecord.MediaType}\"");
        if (typ.ValueKind != JsonValueKind.String || typ.GetString() != KeyRecord.MediaType)
        {
            throw new KeyRecordFormatException("header.typ", $"{Show(typ)} is not \"{KeyRecord.MediaType}\" (a PASSporT or another JWS is not a key record)");
        }

        var x5cElement = Required(header, "header", "x5c", "the signer's certificate chain, end entity first");
        if (x5cElement.ValueKind != JsonValueKind.Array || x5cElement.GetArrayLength() == 0)
        {
            throw new KeyRecordFormatException("header.x5c", $"must be a non-empty array of base64 DER certificates (RFC 7515 §4.1.6), got {Show(x5cElement)}");
        }

        if (x5cElement.GetArrayLength() > CertificateChain.MaxCertificates)
        {
            throw new KeyRecordFormatException("header.x5c", $"{x5cElement.GetArrayLength()} certificates (at most {CertificateChain.MaxCertificates})");
        }

        var x5c = new List<string>();
        var chain = new List<byte[]>();
        var index = 0;
        foreach (var item in x5cElement.EnumerateArray())
        {
            var field = $"header.x5c[{index++}]";
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new KeyRecordFormatException(field, $"must be a base64 string, got {Show(item)}");
            }

            if (!StrictBase64.TryDecodeStandard(item.GetString()!, out var der, out var error))
            {
                throw new KeyRecordFormatException(field, error);
            }

            x5c.Add(item.GetString()!);
            chain.Add(der);
        }

        // The holder is the end entity's key; reading it proves x5c[0] is one DER certificate.
        string holder;
        try
        {
            using var endEntity = CertificateChain.ParseDer(chain[0]);
            holder = KeyRecordHolder.Of(endEntity);
        }
        catch (CertificateFormatException e)
        {
            throw new KeyRecordFormatException("header.x5c[0]", e.Rule);
        }
        catch (CryptographicException e)
        {
            throw new KeyRecordFormatException("header.x5c[0]", $"the certificate's public key cannot be read: {e.Message}");
        }

        return (x5c, [.. chain], holder);
    }

    private static KeyRecord ParseRecord(JsonElement claims, CompactJws jws, List<string> x5c, byte[][] chain, string holder)
    {
        foreach (var member in claims.EnumerateObject())
        {
            if (!RecordMembers.Contains(member.Name))
            {
                throw new KeyRecordFormatException(Join("claims", member.Name), "not a key record claim (allowed: exp, hpke, iat, nbf, rid, role, seq, tn, tnr; a revocation has rev)");
            }
        }

        var key = ParseHpke(Required(claims, "claims", "hpke", "{\"suite\":..., \"pk\":...}"));
        var iat = NumericDate(claims, "iat");
        var nbf = NumericDate(claims, "nbf");
        var exp = NumericDate(claims, "exp");
        var rid = Rid(claims);
        var seq = Seq(claims);
        var numbers = claims.TryGetProperty("tn", out var tn) ? Numbers(tn) : [];
        var ranges = claims.TryGetProperty("tnr", out var tnr) ? Ranges(tnr) : [];
        if (numbers.Count == 0 && ranges.Count == 0)
        {
            throw new KeyRecordFormatException("claims.tn", "missing, and so is \"tnr\": a key record names at least one number or range");
        }

        KeyRecordRole? role = null;
        if (claims.TryGetProperty("role", out var roleElement))
        {
            role = roleElement.ValueKind == JsonValueKind.String ? RoleOf(roleElement.GetString()!) : null;
            if (role is null)
            {
                throw new KeyRecordFormatException("claims.role", $"{Show(roleElement)} is not one of \"carrier\", \"reseller\", \"enterprise\", \"user\"");
            }
        }

        return new KeyRecord(jws.Token, jws.SigningInput, jws.Signature, x5c, chain, holder, KeyRecordKind.Record, rid, seq, iat, key, nbf, exp, numbers, ranges, role);
    }

    // A revocation is exactly {"iat":..,"rev":true,"rid":..,"seq":..}: nothing that could be mistaken for a key.
    private static KeyRecord ParseRevocation(JsonElement claims, CompactJws jws, List<string> x5c, byte[][] chain, string holder)
    {
        foreach (var member in claims.EnumerateObject())
        {
            if (Array.IndexOf(RevocationMembers, member.Name) < 0)
            {
                throw new KeyRecordFormatException(Join("claims", member.Name), "not allowed in a revocation, which has exactly iat, rev, rid and seq");
            }
        }

        var rev = claims.GetProperty("rev");
        if (rev.ValueKind != JsonValueKind.True)
        {
            throw new KeyRecordFormatException("claims.rev", $"{Show(rev)}: a revocation has \"rev\":true, and a record has no \"rev\"");
        }

        var iat = NumericDate(claims, "iat");
        var rid = Rid(claims);
        var seq = Seq(claims);
        return new KeyRecord(jws.Token, jws.SigningInput, jws.Signature, x5c, chain, holder, KeyRecordKind.Revocation, rid, seq, iat, null, 0, 0, [], [], null);
    }

    private static KeyRecordKeyMaterial ParseHpke(JsonElement hpke)
    {
        if (hpke.ValueKind != JsonValueKind.Object)
        {
            throw new KeyRecordFormatException("claims.hpke", $"must be an object {{\"suite\":..., \"pk\":...}}, got {Show(hpke)}");
        }

        foreach (var member in hpke.EnumerateObject())
        {
            if (member.Name is not ("suite" or "pk"))
            {
                throw new KeyRecordFormatException(Join("claims.hpke", member.Name), "not allowed; hpke has exactly \"suite\" and \"pk\"");
            }
        }

        var suite = Required(hpke, "claims.hpke", "suite", "the HPKE suite name, e.g. \"x25519-sha256-chacha20poly1305\"");
        if (suite.ValueKind != JsonValueKind.String || suite.GetString()!.Length is 0 or > 64)
        {
            throw new KeyRecordFormatException("claims.hpke.suite", $"must be a suite name of 1 to 64 characters, got {Show(suite)}");
        }

        var pk = Required(hpke, "claims.hpke", "pk", "the HPKE public key, base64url");
        if (pk.ValueKind != JsonValueKind.String)
        {
            throw new KeyRecordFormatException("claims.hpke.pk", $"must be a base64url string, got {Show(pk)}");
        }

        if (!StrictBase64.TryDecodeUrl(pk.GetString()!, out var bytes, out var error))
        {
            throw new KeyRecordFormatException("claims.hpke.pk", error);
        }

        if (bytes.Length is 0 or > 256)
        {
            throw new KeyRecordFormatException("claims.hpke.pk", $"{bytes.Length} bytes; an HPKE public key has 1 to 256");
        }

        return new KeyRecordKeyMaterial(suite.GetString()!, bytes);
    }

    // RFC 7519 §2 NumericDate, as integers only (the canonical JSON of spec §10 has no fractions).
    private static long NumericDate(JsonElement claims, string name)
    {
        var field = "claims." + name;
        var element = Required(claims, "claims", name, "an integer NumericDate (RFC 7519 §2)");
        var value = Integer(element, field, "a NumericDate");
        if (value < 0)
        {
            throw new KeyRecordFormatException(field, $"{value} is negative; a NumericDate counts seconds since 1970");
        }

        if (value > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw new KeyRecordFormatException(field, $"{value} is beyond the year 9999");
        }

        return value;
    }

    private static string Rid(JsonElement claims)
    {
        var element = Required(claims, "claims", "rid", "the holder's record identifier");
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new KeyRecordFormatException("claims.rid", $"must be a string, got {Show(element)}");
        }

        var rid = element.GetString()!;
        if (rid.Length is 0 or > KeyRecord.MaxRidLength)
        {
            throw new KeyRecordFormatException("claims.rid", $"{Show(element)} has {rid.Length} characters; a rid has 1 to {KeyRecord.MaxRidLength}");
        }

        var bad = rid.AsSpan().IndexOfAnyExcept(RidAlphabet);
        if (bad >= 0)
        {
            throw new KeyRecordFormatException("claims.rid", $"{Show(element)}: character {Describe(rid[bad])} at {bad + 1} is not allowed (A-Z a-z 0-9 . _ -)");
        }

        return rid;
    }

    private static long Seq(JsonElement claims)
    {
        var element = Required(claims, "claims", "seq", "the publication number of the rid, an integer from 1");
        var seq = Integer(element, "claims.seq", "an integer");
        if (seq < 1)
        {
            throw new KeyRecordFormatException("claims.seq", $"{seq} is below 1 (seq counts publications of a rid from 1)");
        }

        if (seq > KeyRecord.MaxSeq)
        {
            throw new KeyRecordFormatException("claims.seq", $"{seq} is above {KeyRecord.MaxSeq} (2^53 − 1, the largest integer every JSON reader keeps exactly)");
        }

        return seq;
    }

    private static List<TelephoneNumber> Numbers(JsonElement tn)
    {
        if (tn.ValueKind != JsonValueKind.Array || tn.GetArrayLength() == 0)
        {
            throw new KeyRecordFormatException("claims.tn", $"must be a non-empty array of canonical numbers (leave it out when there are none), got {Show(tn)}");
        }

        if (tn.GetArrayLength() > KeyRecord.MaxNumbers)
        {
            throw new KeyRecordFormatException("claims.tn", $"{tn.GetArrayLength()} numbers; a record lists at most {KeyRecord.MaxNumbers} (use tnr for blocks)");
        }

        var numbers = new List<TelephoneNumber>();
        var seen = new HashSet<TelephoneNumber>();
        var index = 0;
        foreach (var item in tn.EnumerateArray())
        {
            var field = $"claims.tn[{index++}]";
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new KeyRecordFormatException(field, $"must be a canonical number string (RFC 8224 §8.3), got {Show(item)}");
            }

            if (!TelephoneNumber.TryParseCanonical(item.GetString()!, out var number, out var error))
            {
                throw new KeyRecordFormatException(field, error.Message);
            }

            if (!seen.Add(number))
            {
                throw new KeyRecordFormatException(field, $"{number.Value} is listed twice");
            }

            numbers.Add(number);
        }

        return numbers;
    }

    private static List<TelephoneNumberRange> Ranges(JsonElement tnr)
    {
        if (tnr.ValueKind != JsonValueKind.Array || tnr.GetArrayLength() == 0)
        {
            throw new KeyRecordFormatException("claims.tnr", $"must be a non-empty array of {{\"start\":..., \"count\":...}} (leave it out when there are none), got {Show(tnr)}");
        }

        if (tnr.GetArrayLength() > KeyRecord.MaxRanges)
        {
            throw new KeyRecordFormatException("claims.tnr", $"{tnr.GetArrayLength()} ranges; a record lists at most {KeyRecord.MaxRanges}");
        }

        var ranges = new List<TelephoneNumberRange>();
        var index = 0;
        foreach (var item in tnr.EnumerateArray())
        {
            var field = $"claims.tnr[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new KeyRecordFormatException(field, $"must be an object {{\"start\":..., \"count\":...}}, got {Show(item)}");
            }

            foreach (var member in item.EnumerateObject())
            {
                if (member.Name is not ("start" or "count"))
                {
                    throw new KeyRecordFormatException(Join(field, member.Name), "not allowed; a range has exactly \"start\" and \"count\" (RFC 8226 §9 TelephoneNumberRange)");
                }
            }

            var startElement = Required(item, field, "start", "the first number of the range, canonical digits");
            if (startElement.ValueKind != JsonValueKind.String)
            {
                throw new KeyRecordFormatException(field + ".start", $"must be a string of digits, got {Show(startElement)}");
            }

            if (!TelephoneNumber.TryParseCanonical(startElement.GetString()!, out var start, out var error))
            {
                throw new KeyRecordFormatException(field + ".start", error.Message);
            }

            if (!start.IsNumeric)
            {
                throw new KeyRecordFormatException(field + ".start", $"{start.Value} holds '*' or '#'; a range starts with digits only");
            }

            var count = Integer(Required(item, field, "count", "how many numbers, at least 2"), field + ".count", "an integer");
            if (count < TelephoneNumberRange.MinCount)
            {
                throw new KeyRecordFormatException(field + ".count", $"{count} is below {TelephoneNumberRange.MinCount} (RFC 8226 §9: count INTEGER (2..MAX); list a single number in tn)");
            }

            var first = long.Parse(start.Value, NumberStyles.None, CultureInfo.InvariantCulture);
            var largest = (long)Math.Pow(10, start.Value.Length) - 1;
            if (count - 1 > largest - first)
            {
                throw new KeyRecordFormatException(field + ".count", $"{start.Value}+{count} runs past {largest}: a range stays within the length of its start (RFC 8226 §9)");
            }

            var range = new TelephoneNumberRange(start, count);
            if (ranges.Contains(range))
            {
                throw new KeyRecordFormatException(field, $"{range} is listed twice");
            }

            ranges.Add(range);
        }

        return ranges;
    }

    private static long Integer(JsonElement element, string field, string what)
    {
        if (element.ValueKind != JsonValueKind.Number)
        {
            throw new KeyRecordFormatException(field, $"{Show(element)} is not {what}; it must be a JSON integer");
        }

        var raw = element.GetRawText();
        if (!CanonicalJsonWriter.IsCanonicalInteger(raw))
        {
            throw new KeyRecordFormatException(field, $"{Shorten(raw)} is not an integer without fraction or exponent");
        }

        if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new KeyRecordFormatException(field, $"{Shorten(raw)} is out of range");
        }

        return value;
    }

    private static JsonElement Required(JsonElement parent, string path, string name, string what)
        => parent.TryGetProperty(name, out var value) ? value : throw new KeyRecordFormatException(Join(path, name), $"missing; expected {what}");

    private static KeyRecordRole? RoleOf(string text) => text switch
    {
        "carrier" => KeyRecordRole.Carrier,
        "reseller" => KeyRecordRole.Reseller,
        "enterprise" => KeyRecordRole.Enterprise,
        "user" => KeyRecordRole.User,
        _ => null,
    };

    internal static string RoleName(KeyRecordRole role) => role switch
    {
        KeyRecordRole.Carrier => "carrier",
        KeyRecordRole.Reseller => "reseller",
        KeyRecordRole.Enterprise => "enterprise",
        KeyRecordRole.User => "user",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    private static string KeyHint(string name) => name is "x5u" or "jku" or "jwk" or "kid"
        ? $" (a record names its signer by the x5c it carries, never by {name})"
        : string.Empty;

    private static string PartName(JwsPart part) => part switch
    {
        JwsPart.Token => "token",
        JwsPart.Header => "header",
        JwsPart.Payload => "claims",
        _ => "signature",
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : name.Length == 0 ? path : $"{path}.{name}";

    private static string Show(JsonElement element)
    {
        var raw = element.ValueKind switch
        {
            JsonValueKind.String => "\"" + element.GetString() + "\"",
            _ => element.GetRawText(),
        };
        return Shorten(raw);
    }

    private static string Shorten(string raw)
    {
        var printable = new string([.. raw.Select(c => c is < ' ' or > '~' ? '?' : c)]);
        return printable.Length <= MaxShownValue ? printable : printable[..(MaxShownValue - 3)] + "...";
    }

    private static string Describe(char c) => c is >= ' ' and < (char)0x7F ? $"'{c}'" : $"U+{(int)c:X4}";

    private static readonly System.Buffers.SearchValues<char> RidAlphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
}
