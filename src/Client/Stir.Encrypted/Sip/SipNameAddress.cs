using System.Text;

namespace Stir.Encrypted.Sip;

/// <summary>
/// A URI with an optional display name and header parameters, as From, To, P-Asserted-Identity, Diversion
/// and History-Info carry it (RFC 3261 §20.10, §20.20, §20.39; RFC 3325 §9.1; RFC 5806 §3; RFC 7044 §4):
/// <c>"Display" &lt;uri&gt;;tag=x</c> (name-addr) or <c>uri;tag=x</c> (addr-spec, where the parameters belong
/// to the header field, not to the URI).
/// </summary>
public sealed class SipNameAddress
{
    private SipNameAddress(string? displayName, string uri, IReadOnlyList<KeyValuePair<string, string?>> parameters, int line)
    {
        DisplayName = displayName;
        Uri = uri;
        Parameters = parameters;
        Line = line;
    }

    /// <summary>The display name without quotes and escapes; null when absent.</summary>
    public string? DisplayName { get; }

    /// <summary>The URI exactly as written (without the angle brackets).</summary>
    public string Uri { get; }

    /// <summary>The header field parameters after the URI (<c>tag</c>, <c>index</c>, <c>reason</c>...), in order; a value is null for a bare name.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; }

    /// <summary>The 1-based line of the header field.</summary>
    public int Line { get; }

    /// <summary>The value of the first parameter named <paramref name="name"/> (case-insensitive), without quotes; null when absent or bare.</summary>
    public string? GetParameter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (key, value) in Parameters)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The URI in angle brackets, with its display name.</summary>
    public override string ToString() => DisplayName is null ? $"<{Uri}>" : $"\"{DisplayName}\" <{Uri}>";

    /// <summary>Parses a field that holds exactly one name-addr or addr-spec (From, To).</summary>
    internal static SipNameAddress Parse(string value, string header, int line)
    {
        var items = SplitList(value, header, line);
        if (items.Count != 1)
        {
            throw new SipFormatException(line, $"{header}: holds {items.Count} addresses; RFC 3261 §20 allows exactly one");
        }

        return ParseOne(items[0], header, line);
    }

    /// <summary>Parses a field whose value is a comma-separated list of name-addr / addr-spec (P-Asserted-Identity, Diversion, History-Info).</summary>
    internal static IReadOnlyList<SipNameAddress> ParseList(string value, string header, int line)
        => SplitList(value, header, line).Select(item => ParseOne(item, header, line)).ToArray();

    // RFC 3261 §7.3.1: elements of a #list are separated by commas, but a comma inside a quoted string or
    // inside <...> belongs to the element.
    internal static IReadOnlyList<string> SplitList(string value, string header, int line)
    {
        var items = new List<string>();
        var start = 0;
        var inQuotes = false;
        var inAngle = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inAngle)
            {
                inAngle = c != '>';
            }
            else if (inQuotes)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (c == '<')
            {
                inAngle = true;
            }
            else if (c == ',')
            {
                items.Add(value[start..i]);
                start = i + 1;
            }
        }

        if (inQuotes)
        {
            throw new SipFormatException(line, $"{header}: unterminated quoted string");
        }

        items.Add(value[start..]);
        for (var i = 0; i < items.Count; i++)
        {
            items[i] = items[i].Trim(' ', '\t');
            if (items[i].Length == 0)
            {
                throw new SipFormatException(line, items.Count == 1 ? $"{header}: empty value" : $"{header}: empty element {i + 1} in a comma-separated list");
            }
        }

        return items;
    }

    private static SipNameAddress ParseOne(string text, string header, int line)
    {
        string? display = null;
        string uri;
        string rest;
        var pos = 0;
        if (text[0] == '"')
        {
            display = ReadQuoted(text, ref pos, header, line);
            while (pos < text.Length && text[pos] is ' ' or '\t')
            {
                pos++;
            }

            if (pos >= text.Length || text[pos] != '<')
            {
                throw new SipFormatException(line, $"{header}: a quoted display name must be followed by <URI> (RFC 3261 §20.10)");
            }
        }

        var open = text.IndexOf('<', pos);
        if (open >= 0)
        {
            // name-addr = [ display-name ] LAQUOT addr-spec RAQUOT; an unquoted display-name is *(token LWS).
            if (display is null)
            {
                var name = text[..open].Trim(' ', '\t');
                foreach (var c in name)
                {
                    if (!SipHeaderNames.IsTokenChar(c) && c is not (' ' or '\t'))
                    {
                        throw new SipFormatException(line, $"{header}: character '{Printable(c)}' in the display name \"{Shorten(name)}\" needs quotes (RFC 3261 §25.1 display-name)");
                    }
                }

                display = name.Length == 0 ? null : name;
            }

            var close = text.IndexOf('>', open + 1);
            if (close < 0)
            {
                throw new SipFormatException(line, $"{header}: '<' without a closing '>'");
            }

            uri = text[(open + 1)..close];
            rest = text[(close + 1)..];
        }
        else
        {
            // addr-spec without brackets: RFC 3261 §20.10 says a URI with ',', '?' or ';' must be bracketed,
            // so the first ';' starts the header field's parameters.
            var semicolon = text.IndexOf(';', StringComparison.Ordinal);
            uri = (semicolon < 0 ? text : text[..semicolon]).TrimEnd(' ', '\t');
            rest = semicolon < 0 ? string.Empty : text[semicolon..];
            if (uri.Contains('>', StringComparison.Ordinal))
            {
                throw new SipFormatException(line, $"{header}: '>' without an opening '<'");
            }
        }

        CheckUri(uri, header, line);
        return new SipNameAddress(display, uri, ParseParameters(rest, header, line), line);
    }

    private static string ReadQuoted(string text, ref int pos, string header, int line)
    {
        var sb = new StringBuilder();
        for (pos = 1; pos < text.Length; pos++)
        {
            var c = text[pos];
            if (c == '\\')
            {
                if (++pos >= text.Length)
                {
                    break;
                }

                sb.Append(text[pos]);
            }
            else if (c == '"')
            {
                pos++;
                return sb.ToString();
            }
            else
            {
                sb.Append(c);
            }
        }

        throw new SipFormatException(line, $"{header}: unterminated quoted display name");
    }

    // RFC 3986 §3.1 scheme, then something; no whitespace, brackets or quotes inside (they would have ended
    // or broken the name-addr).
    private static void CheckUri(string uri, string header, int line)
    {
        if (uri.Length == 0)
        {
            throw new SipFormatException(line, $"{header}: empty URI");
        }

        if (!Passports.PassportIdentity.IsUri(uri, out var reason))
        {
            throw new SipFormatException(line, $"{header}: \"{Shorten(uri)}\" is not a URI: {reason}");
        }

        var bad = uri.IndexOfAny(['<', '>', '"']);
        if (bad >= 0)
        {
            throw new SipFormatException(line, $"{header}: character '{uri[bad]}' inside the URI \"{Shorten(uri)}\"");
        }
    }

    // *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ], gen-value = token / host / quoted-string
    private static IReadOnlyList<KeyValuePair<string, string?>> ParseParameters(string rest, string header, int line)
    {
        var parameters = new List<KeyValuePair<string, string?>>();
        var pos = 0;
        while (true)
        {
            while (pos < rest.Length && rest[pos] is ' ' or '\t')
            {
                pos++;
            }

            if (pos >= rest.Length)
            {
                return parameters;
            }

            if (rest[pos] != ';')
            {
                throw new SipFormatException(line, $"{header}: expected ';' before \"{Shorten(rest[pos..])}\"");
            }

            pos++;
            while (pos < rest.Length && rest[pos] is ' ' or '\t')
            {
                pos++;
            }

            var nameStart = pos;
            while (pos < rest.Length && SipHeaderNames.IsTokenChar(rest[pos]))
            {
                pos++;
            }

            if (pos == nameStart)
            {
                throw new SipFormatException(line, $"{header}: expected a parameter name after ';'{(pos < rest.Length ? $" at \"{Shorten(rest[pos..])}\"" : string.Empty)}");
            }

            var name = rest[nameStart..pos];
            while (pos < rest.Length && rest[pos] is ' ' or '\t')
            {
                pos++;
            }

            string? value = null;
            if (pos < rest.Length && rest[pos] == '=')
            {
                pos++;
                while (pos < rest.Length && rest[pos] is ' ' or '\t')
                {
                    pos++;
                }

                if (pos < rest.Length && rest[pos] == '"')
                {
                    var quoted = rest[pos..];
                    var end = 0;
                    value = ReadQuoted(quoted, ref end, header, line);
                    pos += end;
                }
                else
                {
                    var valueStart = pos;
                    while (pos < rest.Length && (SipHeaderNames.IsTokenChar(rest[pos]) || rest[pos] is ':' or '[' or ']'))
                    {
                        pos++;
                    }

                    if (pos == valueStart)
                    {
                        throw new SipFormatException(line, $"{header}: parameter \"{name}\" has '=' but no value");
                    }

                    value = rest[valueStart..pos];
                }
            }

            parameters.Add(new(name, value));
        }
    }

    internal static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "...");

    internal static string Printable(char c) => c < 0x20 || c == 0x7F ? $"\\u{(int)c:x4}" : c.ToString();
}
