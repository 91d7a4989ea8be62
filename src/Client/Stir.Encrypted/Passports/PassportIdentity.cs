using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Passports;

/// <summary>
/// One identity as PASSporT claims carry it (RFC 8225 §5.2.1): a telephone number (<c>"tn"</c>, in
/// RFC 8224 §8.3 canonical form) or a URI (<c>"uri"</c>). The value of <c>orig</c> and of <c>div</c>.
/// </summary>
public sealed class PassportIdentity : IEquatable<PassportIdentity>
{
    private PassportIdentity(TelephoneNumber? tn, string? uri)
    {
        Tn = tn;
        Uri = uri;
    }

    /// <summary>The telephone number, when this is a <c>"tn"</c> identity.</summary>
    public TelephoneNumber? Tn { get; }

    /// <summary>The URI, when this is a <c>"uri"</c> identity (e.g. <c>sip:alice@example.com</c>).</summary>
    public string? Uri { get; }

    /// <summary>The JSON member name: <c>tn</c> or <c>uri</c>.</summary>
    public string Kind => Tn is not null ? "tn" : "uri";

    /// <summary>The value as a string: the canonical number or the URI.</summary>
    public string Value => Tn?.Value ?? Uri!;

    /// <summary>A telephone-number identity (RFC 8225 §5.2.1.1).</summary>
    public static PassportIdentity FromTn(TelephoneNumber tn)
    {
        ArgumentNullException.ThrowIfNull(tn);
        return new PassportIdentity(tn, null);
    }

    /// <summary>A URI identity (RFC 8225 §5.2.1.2), e.g. <c>sip:alice@example.com</c>.</summary>
    /// <exception cref="ArgumentException">The text is not an absolute URI (scheme ':' rest, no whitespace or control characters).</exception>
    public static PassportIdentity FromUri(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!IsUri(uri, out var reason))
        {
            throw new ArgumentException($"\"{uri}\" is not a URI identity: {reason}", nameof(uri));
        }

        return new PassportIdentity(null, uri);
    }

    /// <inheritdoc/>
    public bool Equals(PassportIdentity? other)
        => other is not null && Tn == other.Tn && string.Equals(Uri, other.Uri, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PassportIdentity);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Tn, Uri is null ? 0 : StringComparer.Ordinal.GetHashCode(Uri));

    /// <summary>The identity as <c>tn 12155551212</c> or <c>uri sip:alice@example.com</c>.</summary>
    public override string ToString() => $"{Kind} {Value}";

    // RFC 3986 §3: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':' and a non-empty rest.
    // PASSporT compares identities as strings (RFC 8224 §8.5 normalizes before signing), so this only
    // refuses what cannot be a URI at all; it never rewrites one.
    internal static bool IsUri(string text, out string reason)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            reason = "no scheme (expected e.g. sip:user@host)";
            return false;
        }

        if (!char.IsAsciiLetter(text[0]))
        {
            reason = "the scheme must start with a letter (RFC 3986 §3.1)";
            return false;
        }

        for (var i = 1; i < colon; i++)
        {
            var c = text[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                reason = $"character '{c}' at position {i + 1} is not allowed in a scheme (RFC 3986 §3.1)";
                return false;
            }
        }

        if (colon == text.Length - 1)
        {
            reason = "nothing after the scheme";
            return false;
        }

        for (var i = colon + 1; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) || char.IsControl(text[i]))
            {
                reason = $"whitespace or a control character at position {i + 1}";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }
}
