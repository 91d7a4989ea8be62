using System.Globalization;
using System.Text;

namespace Stir.Encrypted.Sip;

/// <summary>RFC 3261 §7 message framing for <see cref="SipInvite"/>: start line, header fields, body.</summary>
internal static class SipInviteParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // RFC 3261 §8.1.1: a request carries at least these; without them it cannot even be answered.
    private static readonly string[] Required = [SipHeaderNames.Via, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq];

    // Fields defined as a single value (RFC 3261 §20; Date §20.17): two of them make the request ambiguous,
    // e.g. which From is the caller, so they are refused rather than picked from.
    private static readonly string[] Singletons =
    [
        SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.MaxForwards,
        SipHeaderNames.ContentLength, SipHeaderNames.ContentType, SipHeaderNames.Date,
    ];

    public static SipInvite Parse(ReadOnlySpan<byte> message, SipParseLimits limits)
    {
        if (message.Length > limits.MaxMessageBytes)
        {
            throw new SipFormatException(0, $"the message is {message.Length} bytes (limit {limits.MaxMessageBytes})");
        }

        var pos = 0;
        var lineNumber = 0;

        // RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives on streams).
        while (true)
        {
            if (pos >= message.Length)
            {
                throw new SipFormatException(0, "empty message");
            }

            var skip = message[pos] == '\n' ? 1 : message[pos] == '\r' && pos + 1 < message.Length && message[pos + 1] == '\n' ? 2 : 0;
            if (skip == 0)
            {
                break;
            }

            pos += skip;
            lineNumber++;
        }

        var requestLine = ReadLine(message, ref pos, ref lineNumber)
            ?? throw new SipFormatException(lineNumber + 1, "the Request-Line has no line end: the message is truncated");
        var requestLineNumber = lineNumber;
        var requestUri = ParseRequestLine(requestLine, requestLineNumber);

        var fields = new List<SipHeaderField>();
        string? name = null;
        StringBuilder? value = null;
        List<string>? raw = null;
        var fieldLine = 0;
        while (true)
        {
            var line = ReadLine(message, ref pos, ref lineNumber)
                ?? throw new SipFormatException(lineNumber + 1, "the header section has no empty line after it: the message is truncated (RFC 3261 §7)");
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                // RFC 3261 §7.3.1: a line starting with whitespace continues the field above; the fold
                // (CRLF and whitespace) counts as one SP.
                if (name is null)
                {
                    throw new SipFormatException(lineNumber, "a continuation line (starting with whitespace) before any header field");
                }

                var more = line.Trim(' ', '\t');
                if (more.Length > 0)
                {
                    value!.Append(value.Length > 0 ? " " : string.Empty).Append(more);
                }

                raw!.Add(line);
                CheckFieldLength(name, value!, fieldLine, limits);
                continue;
            }

            if (name is not null)
            {
                fields.Add(new SipHeaderField(name, value!.ToString(), fieldLine, raw!.ToArray()));
                name = null;
            }

            if (line.Length == 0)
            {
                break;
            }

            if (fields.Count == limits.MaxHeaderFields)
            {
                throw new SipFormatException(lineNumber, $"more than {limits.MaxHeaderFields} header fields (limit {limits.MaxHeaderFields})");
            }

            // RFC 3261 §7.3.1: field-name HCOLON field-value, HCOLON = *( SP / HTAB ) ":" SWS
            var nameEnd = 0;
            while (nameEnd < line.Length && SipHeaderNames.IsTokenChar(line[nameEnd]))
            {
                nameEnd++;
            }

            if (nameEnd == 0)
            {
                throw new SipFormatException(lineNumber, $"expected a header field name at \"{SipNameAddress.Shorten(line)}\" (RFC 3261 §7.3.1)");
            }

            var colon = nameEnd;
            while (colon < line.Length && line[colon] is ' ' or '\t')
            {
                colon++;
            }

            if (colon >= line.Length || line[colon] != ':')
            {
                throw new SipFormatException(lineNumber, $"header field \"{SipNameAddress.Shorten(line[..nameEnd])}\" has no ':' after its name (RFC 3261 §7.3.1)");
            }

            name = SipHeaderNames.Canonicalize(line[..nameEnd]);
            value = new StringBuilder(line[(colon + 1)..].Trim(' ', '\t'));
            raw = [line];
            fieldLine = lineNumber;
            CheckFieldLength(name, value, fieldLine, limits);
        }

        return Build(requestLine, requestLineNumber, requestUri, fields, message[pos..], limits);
    }

    private static SipInvite Build(string requestLine, int requestLineNumber, string requestUri, List<SipHeaderField> fields, ReadOnlySpan<byte> rest, SipParseLimits limits)
    {
        foreach (var required in Required)
        {
            if (!fields.Any(f => f.Name == required))
            {
                throw new SipFormatException(0, $"no {required} header field; an INVITE carries Via, From, To, Call-ID and CSeq (RFC 3261 §8.1.1)");
            }
        }

        foreach (var singleton in Singletons)
        {
            var found = fields.Where(f => f.Name == singleton).Take(2).ToArray();
            if (found.Length == 2)
            {
                throw new SipFormatException(found[1].Line, $"{singleton} appears again (first on line {found[0].Line}); RFC 3261 §7.3.1 allows one, and two make the request ambiguous");
            }
        }

        foreach (var field in fields)
        {
            if (field.Value.Length == 0 && field.Name is SipHeaderNames.Via or SipHeaderNames.CallId or SipHeaderNames.Identity or SipHeaderNames.PAssertedIdentity
                or SipHeaderNames.Diversion or SipHeaderNames.HistoryInfo or SipHeaderNames.ContentLength or SipHeaderNames.MaxForwards)
            {
                throw new SipFormatException(field.Line, $"{field.Name}: empty value");
            }
        }

        var identities = fields.Count(f => f.Name == SipHeaderNames.Identity);
        if (identities > limits.MaxIdentityHeaders)
        {
            var over = fields.Where(f => f.Name == SipHeaderNames.Identity).ElementAt(limits.MaxIdentityHeaders);
            throw new SipFormatException(over.Line, $"more than {limits.MaxIdentityHeaders} Identity header fields (limit {limits.MaxIdentityHeaders})");
        }

        var cseq = Single(fields, SipHeaderNames.CSeq)!;
        CheckCSeq(cseq);
        if (Single(fields, SipHeaderNames.MaxForwards) is { } maxForwards && !IsDigits(maxForwards.Value, 1, 3))
        {
            throw new SipFormatException(maxForwards.Line, $"Max-Forwards \"{SipNameAddress.Shorten(maxForwards.Value)}\" is not 1 to 3 digits (RFC 3261 §20.22)");
        }

        var fromField = Single(fields, SipHeaderNames.From)!;
        var toField = Single(fields, SipHeaderNames.To)!;
        var from = SipNameAddress.Parse(fromField.Value, SipHeaderNames.From, fromField.Line);
        var to = SipNameAddress.Parse(toField.Value, SipHeaderNames.To, toField.Line);
        var pai = ParseLists(fields, SipHeaderNames.PAssertedIdentity);
        var diversions = ParseLists(fields, SipHeaderNames.Diversion);
        var historyInfo = ParseLists(fields, SipHeaderNames.HistoryInfo);
        var date = Single(fields, SipHeaderNames.Date) is { } dateField ? ParseDate(dateField) : (DateTimeOffset?)null;

        // RFC 3261 §20.14 / §18.3: Content-Length bytes of body; a datagram's extra bytes are discarded; fewer is truncation.
        var body = rest.ToArray();
        if (Single(fields, SipHeaderNames.ContentLength) is { } lengthField)
        {
            if (!IsDigits(lengthField.Value, 1, 9))
            {
                throw new SipFormatException(lengthField.Line, $"Content-Length \"{SipNameAddress.Shorten(lengthField.Value)}\" is not a decimal number of at most 9 digits (RFC 3261 §20.14)");
            }

            var length = int.Parse(lengthField.Value, NumberStyles.None, CultureInfo.InvariantCulture);
            if (length > body.Length)
            {
                throw new SipFormatException(lengthField.Line, $"Content-Length is {length} but the body has {body.Length} bytes: the message is truncated");
            }

            body = body[..length];
        }

        return new SipInvite(requestLine, requestLineNumber, requestUri, fields.AsReadOnly(), from, to, pai, diversions, historyInfo, date, body, limits);
    }

    // RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF
    private static string ParseRequestLine(string line, int lineNumber)
    {
        if (line.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            throw new SipFormatException(lineNumber, $"\"{SipNameAddress.Shorten(line)}\" is a status line: this is a response, not an INVITE");
        }

        var parts = line.Split(' ');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0) || line.Contains('\t', StringComparison.Ordinal))
        {
            throw new SipFormatException(lineNumber, $"the Request-Line \"{SipNameAddress.Shorten(line)}\" is not Method SP Request-URI SP SIP-Version (RFC 3261 §7.1)");
        }

        var (method, uri, version) = (parts[0], parts[1], parts[2]);
        if (!method.All(SipHeaderNames.IsTokenChar))
        {
            throw new SipFormatException(lineNumber, $"method \"{SipNameAddress.Shorten(method)}\" is not a token (RFC 3261 §25.1)");
        }

        if (method != "INVITE")
        {
            var hint = string.Equals(method, "INVITE", StringComparison.OrdinalIgnoreCase) ? " (method names are case-sensitive, RFC 3261 §7.1)" : string.Empty;
            throw new SipFormatException(lineNumber, $"method \"{method}\" is not INVITE{hint}");
        }

        if (!Passports.PassportIdentity.IsUri(uri, out var reason) || uri.IndexOfAny(['<', '>', '"']) >= 0)
        {
            throw new SipFormatException(lineNumber, $"Request-URI \"{SipNameAddress.Shorten(uri)}\" is not an absolute URI{(reason.Length > 0 ? $": {reason}" : string.Empty)} (RFC 3261 §7.1)");
        }

        if (!string.Equals(version, "SIP/2.0", StringComparison.OrdinalIgnoreCase))
        {
            throw new SipFormatException(lineNumber, $"SIP-Version \"{SipNameAddress.Shorten(version)}\" is not SIP/2.0 (RFC 3261 §7.1)");
        }

        return uri;
    }

    // RFC 3261 §20.16: CSeq = 1*DIGIT LWS Method; §8.1.1.5: below 2**31, and the method is the request's.
    private static void CheckCSeq(SipHeaderField cseq)
    {
        var parts = cseq.Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !IsDigits(parts[0], 1, 10) || long.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture) >= 1L << 31)
        {
            throw new SipFormatException(cseq.Line, $"CSeq \"{SipNameAddress.Shorten(cseq.Value)}\" is not a sequence number below 2**31 and a method (RFC 3261 §8.1.1.5)");
        }

        if (parts[1] != "INVITE")
        {
            throw new SipFormatException(cseq.Line, $"CSeq method \"{SipNameAddress.Shorten(parts[1])}\" differs from the request's INVITE (RFC 3261 §8.1.1.5)");
        }
    }

    // RFC 3261 §20.17: Date = rfc1123-date, e.g. "Sat, 13 Nov 2010 23:29:00 GMT", always GMT.
    private static DateTimeOffset ParseDate(SipHeaderField field)
    {
        if (!DateTimeOffset.TryParseExact(field.Value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            throw new SipFormatException(field.Line, $"Date \"{SipNameAddress.Shorten(field.Value)}\" is not an RFC 1123 date in GMT such as \"Sat, 13 Nov 2010 23:29:00 GMT\" (RFC 3261 §20.17)");
        }

        return date;
    }

    private static IReadOnlyList<SipNameAddress> ParseLists(List<SipHeaderField> fields, string name)
        => fields.Where(f => f.Name == name).SelectMany(f => SipNameAddress.ParseList(f.Value, name, f.Line)).ToArray();

    private static SipHeaderField? Single(List<SipHeaderField> fields, string name) => fields.FirstOrDefault(f => f.Name == name);

    private static bool IsDigits(string text, int min, int max) => text.Length >= min && text.Length <= max && text.All(char.IsAsciiDigit);

    private static void CheckFieldLength(string name, StringBuilder value, int line, SipParseLimits limits)
    {
        if (name.Length + 2 + value.Length > limits.MaxHeaderFieldLength)
        {
            throw new SipFormatException(line, $"header field {SipNameAddress.Shorten(name)} is longer than {limits.MaxHeaderFieldLength} characters (limit {limits.MaxHeaderFieldLength})");
        }
    }

    // One line of the header section: up to LF, a CR before it dropped (RFC 3261 §7 says CRLF; bare LF is
    // what real stacks and files send too). A CR anywhere else, a control character, or bytes that are not
    // UTF-8 make the message malformed. Null when no line end is left.
    private static string? ReadLine(ReadOnlySpan<byte> message, ref int pos, ref int lineNumber)
    {
        var rest = message[pos..];
        var lf = rest.IndexOf((byte)'\n');
        if (lf < 0)
        {
            return null;
        }

        lineNumber++;
        var bytes = rest[..lf];
        if (bytes.Length > 0 && bytes[^1] == '\r')
        {
            bytes = bytes[..^1];
        }

        pos += lf + 1;
        string line;
        try
        {
            line = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new SipFormatException(lineNumber, "not valid UTF-8 (RFC 3261 §7.3.1: header fields are UTF-8 text)");
        }

        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if ((c < 0x20 && c != '\t') || c == 0x7F)
            {
                var what = c == '\r' ? "a bare CR" : $"control character {SipNameAddress.Printable(c)}";
                throw new SipFormatException(lineNumber, $"{what} at column {i + 1}");
            }
        }

        return line;
    }
}
