using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Sip;

/// <summary>
/// The telephone number a URI from SIP signaling names, in RFC 8224 §8.3 canonical form, found as RFC 8224
/// §8.1 describes: a <c>tel:</c> URI; a <c>sip:</c>/<c>sips:</c> URI with <c>user=phone</c>; and, as the
/// local policy §8.1 allows, a user part that starts with <c>+</c> or consists of digits and visual
/// separators only. Anything else has no number, and the reason says why.
/// </summary>
public static class SipUriNumber
{
    /// <summary>
    /// Reads the telephone number of <paramref name="uri"/>: drops <c>+</c> and the visual separators
    /// <c>- . ( )</c>, keeps digits, <c>#</c> and <c>*</c> (RFC 8224 §8.3), and for a local number whose
    /// <c>phone-context</c> is a global number prefix, prepends that prefix (RFC 3966 §5.1.5).
    /// </summary>
    /// <returns>False, with the reason, when the URI names no telephone number.</returns>
    public static bool TryGetNumber(string uri, [NotNullWhen(true)] out TelephoneNumber? number, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(uri);
        number = null;
        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            reason = $"\"{SipNameAddress.Shorten(uri)}\" is not a URI (no scheme)";
            return false;
        }

        var scheme = uri[..colon].ToLowerInvariant();
        var rest = uri[(colon + 1)..];
        switch (scheme)
        {
            case "tel":
                {
                    // RFC 3966 §3: telephone-subscriber = global-number / local-number, then ;par
                    var semicolon = rest.IndexOf(';', StringComparison.Ordinal);
                    var subscriber = semicolon < 0 ? rest : rest[..semicolon];
                    var context = semicolon < 0 ? null : FindParameter(rest[(semicolon + 1)..], "phone-context");
                    return TryFromSubscriber(subscriber, context, out number, out reason);
                }

            case "sip" or "sips":
                {
                    // RFC 3261 §19.1.1: sip:user:password@host:port;uri-parameters?headers
                    var query = rest.IndexOf('?', StringComparison.Ordinal);
                    var beforeHeaders = query < 0 ? rest : rest[..query];
                    var at = beforeHeaders.IndexOf('@', StringComparison.Ordinal);
                    if (at < 0)
                    {
                        reason = $"\"{SipNameAddress.Shorten(uri)}\" has no user part, so it names no telephone number (RFC 8224 §8.1)";
                        return false;
                    }

                    var userinfo = beforeHeaders[..at];
                    var hostPart = beforeHeaders[(at + 1)..];
                    var uriParameters = hostPart.IndexOf(';', StringComparison.Ordinal) is var p and >= 0 ? hostPart[(p + 1)..] : string.Empty;
                    var userPhone = string.Equals(FindParameter(uriParameters, "user"), "phone", StringComparison.OrdinalIgnoreCase);
                    var password = userinfo.IndexOf(':', StringComparison.Ordinal);
                    if (!TryPercentDecode(password < 0 ? userinfo : userinfo[..password], out var user))
                    {
                        reason = $"the user part \"{SipNameAddress.Shorten(userinfo)}\" has a malformed %-escape (RFC 3261 §25.1)";
                        return false;
                    }

                    // With user=phone the user part is a telephone-subscriber and may carry ;par (RFC 3261 §19.1.1).
                    var userSemicolon = user.IndexOf(';', StringComparison.Ordinal);
                    var subscriber = userSemicolon < 0 ? user : user[..userSemicolon];
                    var context = userSemicolon < 0 ? null : FindParameter(user[(userSemicolon + 1)..], "phone-context");
                    if (!userPhone && !subscriber.StartsWith('+') && !LooksLikeDialString(subscriber))
                    {
                        reason = $"the user part \"{SipNameAddress.Shorten(user)}\" is not a telephone number: no user=phone, no leading '+', not only digits and separators (RFC 8224 §8.1)";
                        return false;
                    }

                    if (!TryFromSubscriber(subscriber, context, out number, out reason))
                    {
                        reason = userPhone ? $"user=phone, but {reason}" : reason;
                        return false;
                    }

                    return true;
                }

            default:
                reason = $"a {scheme}: URI names no telephone number (RFC 8224 §8.1 reads tel:, sip: and sips: URIs)";
                return false;
        }
    }

    /// <summary>
    /// RFC 8224 §8.5: the canonical form of a SIP or SIPS URI that names no telephone number,
    /// <c>sip:user@host</c>, lower case, without password, port, parameters and headers, unreserved
    /// characters %-decoded; other URIs as given.
    /// </summary>
    internal static string Canonicalize(string uri)
    {
        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        var scheme = uri[..colon].ToLowerInvariant();
        if (scheme is not ("sip" or "sips"))
        {
            return uri;
        }

        var rest = uri[(colon + 1)..];
        var end = rest.IndexOfAny([';', '?']);
        var userAndHost = end < 0 ? rest : rest[..end];
        var at = userAndHost.LastIndexOf('@');
        var user = at < 0 ? null : userAndHost[..at];
        var hostport = at < 0 ? userAndHost : userAndHost[(at + 1)..];
        if (user is not null && user.IndexOf(':', StringComparison.Ordinal) is var password and >= 0)
        {
            user = user[..password];
        }

        // The port goes; an IPv6 reference keeps its brackets (RFC 3261 §25.1 IPv6reference).
        var host = hostport.StartsWith('[')
            ? hostport[..(hostport.IndexOf(']', StringComparison.Ordinal) is var close and >= 0 ? close + 1 : hostport.Length)]
            : hostport.IndexOf(':', StringComparison.Ordinal) is var port and >= 0 ? hostport[..port] : hostport;
        var canonicalUser = user is null ? null : DecodeUnreserved(user).ToLowerInvariant();
        var canonical = canonicalUser is { Length: > 0 }
            ? $"{scheme}:{canonicalUser}@{host.ToLowerInvariant()}"
            : $"{scheme}:{host.ToLowerInvariant()}";
        return canonical.Length > scheme.Length + 1 ? canonical : uri;
    }

    private static bool TryFromSubscriber(string subscriber, string? phoneContext, [NotNullWhen(true)] out TelephoneNumber? number, [NotNullWhen(false)] out string? reason)
    {
        number = null;
        var global = subscriber.StartsWith('+');
        var digits = new StringBuilder(subscriber.Length);
        if (!TryCollect(global ? subscriber[1..] : subscriber, allowKeys: !global, digits, out var bad))
        {
            reason = $"\"{SipNameAddress.Shorten(subscriber)}\" is not a telephone number: character '{SipNameAddress.Printable(bad)}' is neither a digit{(global ? string.Empty : ", '#', '*'")} nor a visual separator (RFC 3966 §3, RFC 8224 §8.3)";
            return false;
        }

        if (digits.Length == 0)
        {
            reason = $"\"{SipNameAddress.Shorten(subscriber)}\" has no digits";
            return false;
        }

        // RFC 8224 §8.3: convert to E.164 where possible. A local number whose phone-context is a global
        // number prefix is that prefix followed by the local digits (RFC 3966 §5.1.5); a domain context
        // gives no country code, so the local digits stay as they are.
        if (!global && phoneContext is { Length: > 1 } && phoneContext[0] == '+')
        {
            var prefix = new StringBuilder();
            if (!TryCollect(phoneContext[1..], allowKeys: false, prefix, out _) || prefix.Length == 0)
            {
                reason = $"phone-context \"{SipNameAddress.Shorten(phoneContext)}\" is neither a domain nor a global number prefix (RFC 3966 §5.1.5)";
                return false;
            }

            digits.Insert(0, prefix);
        }

        if (!TelephoneNumber.TryParseCanonical(digits.ToString(), out number, out var error))
        {
            reason = $"\"{SipNameAddress.Shorten(subscriber)}\" is not a telephone number: {error.Reason}";
            return false;
        }

        reason = null;
        return true;
    }

    private static bool TryCollect(string text, bool allowKeys, StringBuilder digits, out char bad)
    {
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c) || (allowKeys && c is '#' or '*'))
            {
                digits.Append(c);
            }
            else if (c is not ('-' or '.' or '(' or ')'))
            {
                bad = c;
                return false;
            }
        }

        bad = '\0';
        return true;
    }

    // A user part of digits, '#', '*' and visual separators with at least one digit: a dial string.
    private static bool LooksLikeDialString(string user)
        => user.Any(char.IsAsciiDigit) && user.All(c => char.IsAsciiDigit(c) || c is '#' or '*' or '-' or '.' or '(' or ')');

    private static string? FindParameter(string parameters, string name)
    {
        foreach (var parameter in parameters.Split(';'))
        {
            var eq = parameter.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? parameter : parameter[..eq];
            if (string.Equals(key.Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return eq < 0 ? string.Empty : parameter[(eq + 1)..].Trim();
            }
        }

        return null;
    }

    private static bool TryPercentDecode(string text, [NotNullWhen(true)] out string? decoded)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            decoded = text;
            return true;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    decoded = null;
                    return false;
                }

                bytes.Add(b);
                i += 2;
            }
            else
            {
                var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1;
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(text.Substring(i, width)));
                i += width - 1;
            }
        }

        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            decoded = null;
            return false;
        }
    }

    // RFC 3986 §6.2.2.2: decode %-escapes of unreserved characters only (ALPHA / DIGIT / "-" / "." / "_" / "~").
    private static string DecodeUnreserved(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length
                && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b)
                && (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~'))
            {
                sb.Append((char)b);
                i += 2;
            }
            else
            {
                sb.Append(text[i]);
            }
        }

        return sb.ToString();
    }
}
