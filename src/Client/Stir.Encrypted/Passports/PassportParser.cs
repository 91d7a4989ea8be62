using System.Globalization;
using System.Text.Json;
using Stir.Encrypted.Jose;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Passports;

/// <summary>
/// The PASSporT schema: what the header (RFC 8225 §4, §8.1; RFC 7515 §4.1) and the claims (RFC 8225 §5,
/// RFC 8588 §4-5, RFC 8946 §3, §6) must hold. Every rule is checked and every broken one reported, so a
/// sender learns all that is wrong with its token at once.
/// </summary>
internal static class PassportParser
{
    private const int MaxShownValue = 80;

    public static Passport Parse(string token, PassportParseOptions options, int nesting)
    {
        using var jws = PassportJws.Decode(token, options);
        return Parse(jws, options, nesting);
    }

    public static Passport Parse(PassportJws jws, PassportParseOptions options, int nesting)
    {
        var problems = new List<PassportProblem>();
        var header = ParseHeader(jws.Header.RootElement, options, problems);
        var ppt = header.Ppt;
        var (claims, original) = ParseClaims(jws.Claims.RootElement, ppt, options, nesting, problems);
        if (problems.Count > 0)
        {
            throw new PassportFormatException(problems);
        }

        return new Passport(jws, PassportHeader.FromParsed(header.X5u, header.X5c, ppt), claims!, original);
    }

    private static HeaderValues ParseHeader(JsonElement root, PassportParseOptions options, List<PassportProblem> problems)
    {
        void Problem(string field, string reason) => problems.Add(new PassportProblem(PassportPart.Header, field, reason));

        // RFC 8225 §4.2: ES256 is the one algorithm; "none", HS256 (key confusion with a public key used as
        // an HMAC secret) and every look-alike ("ES256 ", "es256") are refused by exact comparison.
        if (!root.TryGetProperty("alg", out var alg))
        {
            Problem("alg", "missing; a PASSporT is signed with \"ES256\" (RFC 8225 §4.2)");
        }
        else if (alg.ValueKind != JsonValueKind.String)
        {
            Problem("alg", $"must be the string \"ES256\", got {Show(alg)}");
        }
        else if (!string.Equals(alg.GetString(), PassportHeader.Es256, StringComparison.Ordinal))
        {
            Problem("alg", $"{Show(alg)} is not accepted; only \"ES256\" is (RFC 8225 §4.2, RFC 7518 §3.4)");
        }

        // RFC 8225 §4.1: typ MUST be "passport".
        if (!root.TryGetProperty("typ", out var typ))
        {
            Problem("typ", "missing; a PASSporT has \"typ\":\"passport\" (RFC 8225 §4.1)");
        }
        else if (typ.ValueKind != JsonValueKind.String || !string.Equals(typ.GetString(), PassportHeader.PassportTyp, StringComparison.Ordinal))
        {
            Problem("typ", $"{Show(typ)} is not \"passport\" (RFC 8225 §4.1)");
        }

        // RFC 8225 §8.1: relying parties MUST fail a PASSporT with an unsupported ppt.
        string? ppt = null;
        if (root.TryGetProperty("ppt", out var pptElement))
        {
            if (pptElement.ValueKind != JsonValueKind.String)
            {
                Problem("ppt", $"must be a string, got {Show(pptElement)}");
            }
            else if (!PassportTypes.IsSupported(pptElement.GetString()!))
            {
                Problem("ppt", $"{Show(pptElement)} is not a supported PASSporT type (supported: {string.Join(", ", PassportTypes.Supported)}); RFC 8225 §8.1 requires rejecting it");
            }
            else
            {
                ppt = pptElement.GetString();
            }
        }

        // RFC 7515 §4.1.11: crit names extensions the recipient must understand; PASSporT defines none.
        if (root.TryGetProperty("crit", out var crit))
        {
            Problem("crit", $"present ({Show(crit)}); no critical JWS extension is supported, so the PASSporT is rejected (RFC 7515 §4.1.11)");
        }

        // RFC 7515 §4.1.2-3: a key carried or pointed to by the token itself would let anyone sign for any
        // number; the signer's key comes only from its certificate (x5u/x5c), which the resolver validates.
        if (root.TryGetProperty("jku", out var jku))
        {
            Problem("jku", $"present ({Show(jku)}); a PASSporT names its signer by certificate (x5u/x5c), never by a JWK Set URL (key injection)");
        }

        if (root.TryGetProperty("jwk", out var jwk))
        {
            Problem("jwk", $"present ({Show(jwk)}); a PASSporT names its signer by certificate (x5u/x5c), never by an embedded key (key injection)");
        }

        string? x5u = null;
        if (root.TryGetProperty("x5u", out var x5uElement))
        {
            if (x5uElement.ValueKind != JsonValueKind.String)
            {
                Problem("x5u", $"must be a string URL, got {Show(x5uElement)}");
            }
            else if (!PassportHeader.IsAcceptableX5u(x5uElement.GetString()!, options.AllowLoopbackHttpX5u, out var why))
            {
                Problem("x5u", $"{Show(x5uElement)} {why}");
            }
            else
            {
                x5u = x5uElement.GetString();
            }
        }

        List<byte[]>? x5c = null;
        if (root.TryGetProperty("x5c", out var x5cElement))
        {
            x5c = ParseX5c(x5cElement, Problem);
        }

        if (x5uElement.ValueKind == JsonValueKind.Undefined && x5cElement.ValueKind == JsonValueKind.Undefined)
        {
            Problem("x5u", "missing, and so is \"x5c\": the signer's certificate cannot be found (RFC 8225 §4.3)");
        }

        return new HeaderValues(ppt, x5u, x5c);
    }

    // RFC 7515 §4.1.6: a non-empty array of base64 (not base64url) DER certificates, signer first.
    private static List<byte[]>? ParseX5c(JsonElement x5c, Action<string, string> problem)
    {
        if (x5c.ValueKind != JsonValueKind.Array || x5c.GetArrayLength() == 0)
        {
            problem("x5c", $"must be a non-empty array of base64 DER certificates (RFC 7515 §4.1.6), got {Show(x5c)}");
            return null;
        }

        var chain = new List<byte[]>();
        var index = 0;
        foreach (var item in x5c.EnumerateArray())
        {
            var field = $"x5c[{index++}]";
            if (item.ValueKind != JsonValueKind.String)
            {
                problem(field, $"must be a base64 string, got {Show(item)}");
            }
            else if (!StrictBase64.TryDecodeStandard(item.GetString()!, out var der, out var error))
            {
                problem(field, error);
            }
            else if (der.Length == 0)
            {
                problem(field, "empty certificate");
            }
            else
            {
                chain.Add(der);
            }
        }

        return chain.Count == index ? chain : null;
    }

    private static (PassportClaims? Claims, Passport? Original) ParseClaims(
        JsonElement root, string? ppt, PassportParseOptions options, int nesting, List<PassportProblem> problems)
    {
        void Problem(string field, string reason) => problems.Add(new PassportProblem(PassportPart.Claims, field, reason));
        var before = problems.Count;

        // RFC 8225 §5: claim names MUST use the ASCII character set. Every claim this type does not model is
        // kept as an extension, by name (one pass: each name is decoded once).
        var extensions = new SortedDictionary<string, JsonElement>(CanonicalJsonWriter.NameOrder);
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            if (!System.Text.Ascii.IsValid(name))
            {
                Problem(string.Empty, $"claim name {Quote(name)} is not ASCII (RFC 8225 §5)");
            }

            if (!PassportClaims.KnownNames.Contains(name))
            {
                extensions[name] = property.Value.Clone();
            }
        }

        var iat = ParseIat(root, Problem);
        var orig = root.TryGetProperty("orig", out var origElement)
            ? ParseIdentity(origElement, "orig", allowHi: false, Problem).Identity
            : Missing<PassportIdentity>("orig", "the calling identity {\"tn\":...} or {\"uri\":...} (RFC 8225 §5.2.1)", Problem);
        var dest = root.TryGetProperty("dest", out var destElement)
            ? ParseDest(destElement, Problem)
            : Missing<PassportDestination>("dest", "the called identities {\"tn\":[...]} and/or {\"uri\":[...]} (RFC 8225 §5.2.1)", Problem);

        // RFC 8588 §4-5: a "shaken" PASSporT carries attest and origid; where present elsewhere, they
        // still mean what RFC 8588 says, so their values are checked the same way.
        var shaken = ppt == PassportTypes.Shaken;
        string? attest = null;
        if (root.TryGetProperty("attest", out var attestElement))
        {
            if (attestElement.ValueKind == JsonValueKind.String && attestElement.GetString() is "A" or "B" or "C")
            {
                attest = attestElement.GetString();
            }
            else
            {
                Problem("attest", $"{Show(attestElement)} is not one of \"A\", \"B\", \"C\" (RFC 8588 §4)");
            }
        }
        else if (shaken)
        {
            Missing<string>("attest", "a \"shaken\" PASSporT's attestation level \"A\", \"B\" or \"C\" (RFC 8588 §4)", Problem);
        }

        string? origId = null;
        if (root.TryGetProperty("origid", out var origIdElement))
        {
            if (origIdElement.ValueKind == JsonValueKind.String && IsUuid(origIdElement.GetString()!))
            {
                origId = origIdElement.GetString();
            }
            else
            {
                Problem("origid", $"{Show(origIdElement)} is not a UUID (8-4-4-4-12 hexadecimal digits, RFC 8588 §5, RFC 4122 §3)");
            }
        }
        else if (shaken)
        {
            Missing<string>("origid", "a \"shaken\" PASSporT's origination identifier, a UUID (RFC 8588 §5)", Problem);
        }

        // RFC 8946 §3: every div/div-o PASSporT has a div claim, and only they do.
        var diversion = PassportTypes.IsDiversion(ppt);
        PassportIdentity? div = null;
        string? divHi = null;
        if (root.TryGetProperty("div", out var divElement))
        {
            if (!diversion)
            {
                Problem("div", $"only \"div\" and \"div-o\" PASSporTs carry \"div\" (RFC 8946 §3); this one has ppt {(ppt is null ? "none" : Quote(ppt))}");
            }
            else
            {
                (div, divHi) = ParseIdentity(divElement, "div", allowHi: true, Problem);
            }
        }
        else if (diversion)
        {
            Missing<PassportIdentity>("div", $"a \"{ppt}\" PASSporT's diverted-from identity {{\"tn\":...}} or {{\"uri\":...}} (RFC 8946 §3)", Problem);
        }

        // RFC 8946 §5-6: div-o nests the original, full form, in opt; div MUST NOT carry opt.
        string? opt = null;
        Passport? original = null;
        if (root.TryGetProperty("opt", out var optElement))
        {
            if (ppt != PassportTypes.DivO)
            {
                Problem("opt", $"only \"div-o\" PASSporTs carry \"opt\" (RFC 8946 §3, §5); this one has ppt {(ppt is null ? "none" : Quote(ppt))}");
            }
            else
            {
                (opt, original) = ParseOpt(optElement, options, nesting, Problem);
            }
        }
        else if (ppt == PassportTypes.DivO)
        {
            Missing<string>("opt", "a \"div-o\" PASSporT's original PASSporT in full form (RFC 8946 §5)", Problem);
        }

        if (problems.Count > before || iat is null || orig is null || dest is null)
        {
            return (null, null);
        }

        return (new PassportClaims(iat.Value, orig, dest, attest, origId, div, divHi, opt, extensions), original);
    }

    // RFC 8225 §5.1.1 / RFC 7519 §2: iat is a NumericDate, a JSON number of seconds. PASSporT numbers are
    // integers (RFC 8225 §9 rule 4), so "1443208345" (a string), 1443208345.0, 1.443208345e9 and negative
    // values are all refused, with the raw value in the message.
    private static long? ParseIat(JsonElement root, Action<string, string> problem)
    {
        if (!root.TryGetProperty("iat", out var iat))
        {
            problem("iat", "missing; the time of origination as an integer NumericDate (RFC 8225 §5.1.1)");
            return null;
        }

        if (iat.ValueKind == JsonValueKind.String)
        {
            problem("iat", $"the string {Show(iat)} is not a NumericDate; it must be a JSON integer (RFC 8225 §5.1.1, RFC 7519 §2)");
            return null;
        }

        if (iat.ValueKind != JsonValueKind.Number)
        {
            problem("iat", $"{Show(iat)} is not a NumericDate; it must be a JSON integer (RFC 8225 §5.1.1)");
            return null;
        }

        var raw = iat.GetRawText();
        if (!CanonicalJsonWriter.IsCanonicalInteger(raw))
        {
            problem("iat", $"{Shorten(raw)} is not an integer; NumericDates in a PASSporT are integers without fraction or exponent (RFC 8225 §9 rule 4)");
            return null;
        }

        if (raw.StartsWith('-'))
        {
            problem("iat", $"{raw} is negative; a call cannot originate before 1970");
            return null;
        }

        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            problem("iat", $"{Shorten(raw)} is beyond the year 9999");
            return null;
        }

        return value;
    }

    // RFC 8225 §5.2.1: orig is an object with exactly one identity, "tn" (canonical, RFC 8224 §8.3) or "uri".
    // RFC 8946 §8 lets div also carry "hi", the History-Info index.
    private static (PassportIdentity? Identity, string? Hi) ParseIdentity(JsonElement element, string name, bool allowHi, Action<string, string> problem)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problem(name, $"expected a JSON object {{\"tn\":...}} or {{\"uri\":...}}, got {Describe(element)} (RFC 8225 §5.2.1)");
            return (null, null);
        }

        PassportIdentity? identity = null;
        string? hi = null;
        var count = 0;
        var ok = true;
        foreach (var property in element.EnumerateObject())
        {
            // Names are matched without decoding them; field paths are built only for a message.
            var kind = property.NameEquals("tn") ? "tn" : property.NameEquals("uri") ? "uri" : property.NameEquals("hi") ? "hi" : null;
            switch (kind)
            {
                case "tn" or "uri":
                    count++;
                    if (count > 1)
                    {
                        problem(name, $"has both \"tn\" and \"uri\"; exactly one identity is allowed (RFC 8225 §5.2.1)");
                        ok = false;
                    }
                    else
                    {
                        identity = ParseIdentityValue(property.Value, kind, name, index: -1, problem);
                        ok &= identity is not null;
                    }

                    break;
                case "hi" when allowHi:
                    if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.Length > 0)
                    {
                        hi = property.Value.GetString();
                    }
                    else
                    {
                        problem($"{name}.hi", $"must be a History-Info index string such as \"1.2.1\" (RFC 8946 §8), got {Show(property.Value)}");
                        ok = false;
                    }

                    break;
                default:
                    problem(name, $"unexpected key {Quote(property.Name)}; allowed: \"tn\" or \"uri\"{(allowHi ? ", and \"hi\"" : string.Empty)} (RFC 8225 §5.2.1{(allowHi ? ", RFC 8946 §8" : string.Empty)})");
                    ok = false;
                    break;
            }
        }

        if (count == 0)
        {
            problem(name, "has no identity; expected \"tn\" or \"uri\" (RFC 8225 §5.2.1)");
            ok = false;
        }

        return ok ? (identity, hi) : (null, null);
    }

    // The field is owner.kind, or owner.kind[index] for an array item (index >= 0).
    private static PassportIdentity? ParseIdentityValue(JsonElement value, string kind, string owner, int index, Action<string, string> problem)
    {
        string Field() => index < 0 ? $"{owner}.{kind}" : $"{owner}.{kind}[{index}]";
        if (value.ValueKind != JsonValueKind.String)
        {
            problem(Field(), $"must be a string, got {Describe(value)}");
            return null;
        }

        var text = value.GetString()!;
        if (kind == "tn")
        {
            // RFC 8225 §5.2.1.1: the number MUST be in RFC 8224 §8.3 canonical form.
            if (!TelephoneNumber.TryParseCanonical(text, out var tn, out var error))
            {
                problem(Field(), $"{error.Message} (RFC 8224 §8.3)");
                return null;
            }

            return PassportIdentity.FromTn(tn);
        }

        if (!PassportIdentity.IsUri(text, out var reason))
        {
            problem(Field(), $"{Quote(text)} is not a URI: {reason} (RFC 8225 §5.2.1.2)");
            return null;
        }

        return PassportIdentity.FromUri(text);
    }

    // RFC 8225 §5.2.1: dest is an object of "tn" and/or "uri" arrays, each non-empty.
    private static PassportDestination? ParseDest(JsonElement element, Action<string, string> problem)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problem("dest", $"expected a JSON object {{\"tn\":[...]}} and/or {{\"uri\":[...]}}, got {Describe(element)} (RFC 8225 §5.2.1)");
            return null;
        }

        var tn = new List<TelephoneNumber>();
        var uri = new List<string>();
        var ok = true;
        var any = false;
        foreach (var property in element.EnumerateObject())
        {
            var kind = property.NameEquals("tn") ? "tn" : property.NameEquals("uri") ? "uri" : null;
            if (kind is null)
            {
                problem("dest", $"unexpected key {Quote(property.Name)}; allowed: \"tn\" and \"uri\" (RFC 8225 §5.2.1)");
                ok = false;
                continue;
            }

            any = true;
            if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
            {
                problem($"dest.{kind}", $"expected a non-empty array of strings, got {Describe(property.Value)} (RFC 8225 §5.2.1)");
                ok = false;
                continue;
            }

            var index = 0;
            foreach (var item in property.Value.EnumerateArray())
            {
                var identity = ParseIdentityValue(item, kind, "dest", index++, problem);
                if (identity is null)
                {
                    ok = false;
                }
                else if (identity.Tn is not null)
                {
                    tn.Add(identity.Tn);
                }
                else
                {
                    uri.Add(identity.Uri!);
                }
            }
        }

        if (!any && ok)
        {
            problem("dest", "is empty; at least one \"tn\" or \"uri\" destination is required (RFC 8225 §5.2.1)");
            ok = false;
        }

        return ok ? PassportDestination.Create(tn, uri) : null;
    }

    // RFC 8946 §6: opt holds a quoted full-form PASSporT (never the compact form), which is itself parsed
    // with the same rules, one nesting level deeper.
    private static (string? Opt, Passport? Original) ParseOpt(JsonElement element, PassportParseOptions options, int nesting, Action<string, string> problem)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            problem("opt", $"must be a full-form PASSporT string (RFC 8946 §6), got {Describe(element)}");
            return (null, null);
        }

        var text = element.GetString()!;
        if (text.StartsWith("..", StringComparison.Ordinal))
        {
            problem("opt", "holds a compact-form PASSporT; opt MUST NOT (RFC 8946 §6)");
            return (null, null);
        }

        if (nesting + 1 >= options.MaxNesting)
        {
            problem("opt", $"nests PASSporTs more than {options.MaxNesting} deep");
            return (null, null);
        }

        try
        {
            return (text, Parse(text, options, nesting + 1));
        }
        catch (PassportFormatException e)
        {
            problem("opt", $"the nested PASSporT is malformed: {e.Message}");
            return (null, null);
        }
    }

    private static T? Missing<T>(string field, string what, Action<string, string> problem)
        where T : class
    {
        problem(field, $"missing; expected {what}");
        return null;
    }

    // RFC 4122 §3: 8-4-4-4-12 hexadecimal digits; case is not significant on input.
    internal static bool IsUuid(string text)
        => text.Length == 36 && Guid.TryParseExact(text, "D", out _);

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"a string {Show(element)}",
        JsonValueKind.Number => $"the number {Shorten(element.GetRawText())}",
        JsonValueKind.Array => $"an array {Shorten(element.GetRawText())}",
        JsonValueKind.Object => $"an object {Shorten(element.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString(),
    };

    private static string Show(JsonElement element)
        => element.ValueKind == JsonValueKind.String ? Quote(element.GetString()!) : Shorten(element.GetRawText());

    private static string Quote(string text) => TelephoneNumberFormatException.Quote(Shorten(text));

    private static string Shorten(string text) => text.Length <= MaxShownValue ? text : string.Concat(text.AsSpan(0, MaxShownValue), "...");

    private sealed record HeaderValues(string? Ppt, string? X5u, List<byte[]>? X5c);
}
