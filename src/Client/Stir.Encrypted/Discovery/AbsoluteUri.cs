using System.Diagnostics.CodeAnalysis;

namespace Stir.Encrypted.Discovery;

/// <summary>
/// The check RFC 6116 §3.3 asks of a terminal rule's output: an RFC 3986 §4.3 <c>absolute-URI</c>, that is a
/// scheme (<c>ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )</c>), a colon, then only characters that RFC 3986
/// allows (unreserved, reserved, and <c>%</c> followed by two hex digits), with no fragment. It checks syntax only.
/// What the URI may point to is the enumservice's business (see <see cref="ServiceUrl"/>).
/// </summary>
internal static class AbsoluteUri
{
    public static bool IsValid([NotNullWhen(true)] string? text, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(text))
        {
            error = "it is empty";
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !char.IsAsciiLetter(text[0]))
        {
            error = "it does not start with a scheme";
            return false;
        }

        for (var i = 1; i < colon; i++)
        {
            if (!char.IsAsciiLetterOrDigit(text[i]) && text[i] is not ('+' or '-' or '.'))
            {
                error = $"'{text[i]}' cannot appear in a scheme";
                return false;
            }
        }

        for (var i = colon + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    error = $"'%' at position {i + 1} is not followed by two hex digits";
                    return false;
                }

                i += 2;
            }
            else if (c == '#')
            {
                error = "an absolute URI has no fragment";
                return false;
            }
            else if (!IsUriCharacter(c))
            {
                error = c is < ' ' or > '~' ? $"character U+{(int)c:X4} at position {i + 1} is not allowed" : $"'{c}' at position {i + 1} is not allowed";
                return false;
            }
        }

        error = null;
        return true;
    }

    // RFC 3986 §2.2 reserved and §2.3 unreserved characters.
    private static bool IsUriCharacter(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or ':' or '/' or '?' or '[' or ']' or '@'
            or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=';
}
