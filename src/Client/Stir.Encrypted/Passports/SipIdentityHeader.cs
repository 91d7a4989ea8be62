namespace Stir.Encrypted.Passports;

/// <summary>
/// A SIP Identity header field value (RFC 8224 §4): <c>signed-identity-digest ;info=&lt;uri&gt; [;alg=token]
/// [;ppt=token] *(;generic-param)</c>, where the digest is a full-form or compact-form PASSporT.
/// </summary>
public sealed class SipIdentityHeader
{
    private SipIdentityHeader(string token, string? info, string? alg, string? ppt)
    {
        Token = token;
        Info = info;
        Alg = alg;
        Ppt = ppt;
    }

    /// <summary>The PASSporT: full form, or compact form (<c>..signature</c>).</summary>
    public string Token { get; }

    /// <summary>True when <see cref="Token"/> is the compact form (RFC 8225 §7).</summary>
    public bool IsCompactForm => Token.StartsWith("..", StringComparison.Ordinal);

    /// <summary>The <c>info</c> URI (without the angle brackets), which <c>x5u</c> must equal (RFC 8224 §4.1).</summary>
    public string? Info { get; }

    /// <summary>The <c>alg</c> parameter, if present (absent means ES256, RFC 8224 §4.1).</summary>
    public string? Alg { get; }

    /// <summary>The <c>ppt</c> parameter without quotes, if present.</summary>
    public string? Ppt { get; }

    /// <summary>
    /// Parses a header field value; a leading <c>Identity:</c> field name is accepted and skipped. Parameter
    /// names are case-insensitive (RFC 3261 §7.3.1); <c>ppt</c> may be a token or a quoted string.
    /// </summary>
    /// <exception cref="PassportFormatException">The value is malformed (part <see cref="PassportPart.IdentityHeader"/>).</exception>
    public static SipIdentityHeader Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.AsSpan().Trim();
        if (text.StartsWith("Identity:", StringComparison.OrdinalIgnoreCase))
        {
            text = text["Identity:".Length..].Trim();
        }

        var semicolon = text.IndexOf(';');
        var token = (semicolon < 0 ? text : text[..semicolon]).Trim().ToString();
        if (token.Length == 0)
        {
            throw new PassportFormatException(PassportPart.IdentityHeader, string.Empty, "no PASSporT before the first ';'");
        }

        foreach (var c in token)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+' or '/'))
            {
                throw new PassportFormatException(PassportPart.IdentityHeader, string.Empty, $"character '{c}' cannot appear in the signed-identity-digest (RFC 8224 §4)");
            }
        }

        string? info = null, alg = null, ppt = null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var rest = semicolon < 0 ? ReadOnlySpan<char>.Empty : text[semicolon..];
        while (!rest.IsEmpty)
        {
            rest = rest.TrimStart();
            if (rest.IsEmpty || rest[0] != ';')
            {
                throw new PassportFormatException(PassportPart.IdentityHeader, string.Empty, $"expected ';' before \"{Shorten(rest)}\"");
            }

            rest = rest[1..].TrimStart();
            var nameEnd = 0;
            while (nameEnd < rest.Length && (char.IsAsciiLetterOrDigit(rest[nameEnd]) || rest[nameEnd] is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~'))
            {
                nameEnd++;
            }

            if (nameEnd == 0)
            {
                throw new PassportFormatException(PassportPart.IdentityHeader, string.Empty, $"expected a parameter name at \"{Shorten(rest)}\"");
            }

            var name = rest[..nameEnd].ToString();
            if (!seen.Add(name))
            {
                throw new PassportFormatException(PassportPart.IdentityHeader, name.ToLowerInvariant(), "appears twice");
            }

            rest = rest[nameEnd..].TrimStart();
            string? paramValue = null;
            if (!rest.IsEmpty && rest[0] == '=')
            {
                rest = rest[1..].TrimStart();
                paramValue = ReadValue(ref rest, name);
            }

            switch (name.ToLowerInvariant())
            {
                case "info":
                    if (paramValue is null || paramValue.Length < 3 || paramValue[0] != '<' || paramValue[^1] != '>')
                    {
                        throw new PassportFormatException(PassportPart.IdentityHeader, "info", $"must be an absolute URI in angle brackets (RFC 8224 §4), got {(paramValue is null ? "no value" : $"\"{Shorten(paramValue)}\"")}");
                    }

                    info = paramValue[1..^1];
                    break;
                case "alg":
                    alg = paramValue ?? throw new PassportFormatException(PassportPart.IdentityHeader, "alg", "has no value");
                    break;
                case "ppt":
                    ppt = paramValue is { Length: >= 2 } && paramValue[0] == '"' ? paramValue[1..^1] : paramValue;
                    if (string.IsNullOrEmpty(ppt))
                    {
                        throw new PassportFormatException(PassportPart.IdentityHeader, "ppt", "has no value");
                    }

                    break;
                default:
                    break; // ident-info-extension: ignored, as RFC 8224 §4 allows
            }
        }

        if (semicolon >= 0 && info is null)
        {
            throw new PassportFormatException(PassportPart.IdentityHeader, "info", "missing; the Identity header carries ;info=<URI of the signer's certificate> (RFC 8224 §4)");
        }

        return new SipIdentityHeader(token, info, alg, ppt);
    }

    /// <summary>True when the value carries parameters (or a field name), i.e. is more than a bare token.</summary>
    internal static bool LooksLikeHeader(string value)
        => value.Contains(';', StringComparison.Ordinal) || value.TrimStart().StartsWith("Identity:", StringComparison.OrdinalIgnoreCase);

    private static string ReadValue(ref ReadOnlySpan<char> rest, string name)
    {
        if (rest.IsEmpty)
        {
            throw new PassportFormatException(PassportPart.IdentityHeader, name.ToLowerInvariant(), "'=' without a value");
        }

        var (open, close) = rest[0] switch { '<' => ('<', '>'), '"' => ('"', '"'), _ => ('\0', '\0') };
        int end;
        if (open != '\0')
        {
            end = rest[1..].IndexOf(close);
            if (end < 0)
            {
                throw new PassportFormatException(PassportPart.IdentityHeader, name.ToLowerInvariant(), $"unterminated {open}...{close}");
            }

            end += 2;
        }
        else
        {
            end = rest.IndexOfAny(';', ' ', '\t');
            end = end < 0 ? rest.Length : end;
        }

        var value = rest[..end].ToString();
        rest = rest[end..];
        return value;
    }

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "...");
}
