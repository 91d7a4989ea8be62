using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

namespace Stir.Encrypted;

/// <summary>
/// Base64 decoding that accepts exactly one spelling of each byte string. A JWS is signed over the
/// base64url text, so two spellings of the same bytes would be two different tokens that decode alike;
/// lenient decoders (padding, whitespace, '+' for '-', non-zero unused bits) let a forger vary a token
/// without touching what a verifier reads.
/// </summary>
internal static class StrictBase64
{
    private static readonly SearchValues<char> UrlAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static readonly SearchValues<char> StandardAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    /// <summary>RFC 7515 §2 base64url: the RFC 4648 §5 alphabet, no padding, no other characters.</summary>
    public static string EncodeUrl(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>
    /// RFC 7515 §2 / RFC 4648 §5: decodes base64url without padding. Rejects characters outside
    /// <c>A-Z a-z 0-9 - _</c>, any <c>=</c>, a length of 4n+1, and unused trailing bits that are not zero
    /// (RFC 4648 §3.5), so that every accepted text is the one canonical encoding of its bytes.
    /// </summary>
    public static bool TryDecodeUrl(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
        => TryDecode(text, url: true, out bytes, out error);

    /// <summary>
    /// RFC 4648 §4 base64 with padding, as RFC 7515 §4.1.6 requires for <c>x5c</c> values: standard
    /// alphabet, length a multiple of 4, exactly the padding needed, zero unused bits, no whitespace.
    /// </summary>
    public static bool TryDecodeStandard(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
        => TryDecode(text, url: false, out bytes, out error);

    private static bool TryDecode(ReadOnlySpan<char> text, bool url, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = null;
        var name = url ? "base64url" : "base64";
        var dataLength = text.Length;
        if (!url)
        {
            if (text.Length % 4 != 0)
            {
                error = $"{name}: length {text.Length} is not a multiple of 4 (padding is required, RFC 4648 §4)";
                return false;
            }

            while (dataLength > 0 && text[dataLength - 1] == '=' && text.Length - dataLength < 2)
            {
                dataLength--;
            }
        }

        // Every character before the padding counted above must be in the alphabet (a vectorized scan).
        var i = text[..dataLength].IndexOfAnyExcept(url ? UrlAlphabet : StandardAlphabet);
        if (i >= 0)
        {
            var c = text[i];
            var why = c switch
            {
                '=' when url => "padding '=' is not allowed in base64url (RFC 7515 §2)",
                '=' => "padding '=' may only end the text",
                '+' or '/' when url => $"'{c}' belongs to standard base64; base64url uses '-' and '_' (RFC 4648 §5)",
                '-' or '_' when !url => $"'{c}' belongs to base64url; x5c uses standard base64 (RFC 7515 §4.1.6)",
                _ when char.IsWhiteSpace(c) => "whitespace is not allowed",
                _ => "not in the " + (url ? "base64url alphabet (A-Z a-z 0-9 - _)" : "base64 alphabet (A-Z a-z 0-9 + /)"),
            };
            error = $"{name}: character {Describe(c)} at position {i + 1}: {why}";
            return false;
        }

        var remainder = dataLength % 4;
        if (remainder == 1)
        {
            error = $"{name}: length {dataLength} leaves a single character over (4n+1 is never a valid encoding)";
            return false;
        }

        if (!url && remainder != 0 && text.Length - dataLength != 4 - remainder)
        {
            error = $"{name}: {text.Length - dataLength} padding characters, expected {4 - remainder}";
            return false;
        }

        if (remainder != 0)
        {
            // RFC 4648 §3.5: the bits of the last character beyond the encoded bytes must be zero.
            var last = ValueOf(text[dataLength - 1], url);
            var unusedMask = remainder == 2 ? 0x0F : 0x03;
            if ((last & unusedMask) != 0)
            {
                error = $"{name}: non-canonical encoding: the last character {Describe(text[dataLength - 1])} sets unused trailing bits (RFC 4648 §3.5)";
                return false;
            }
        }

        if (url)
        {
            // Only the alphabet, no padding, no 4n+1 length, zero unused bits: the one text the BCL decoder reads
            // the same way as the loop below (which standard base64, used only for x5c, still goes through).
            bytes = Base64Url.DecodeFromChars(text);
            error = null;
            return true;
        }

        var output = new byte[(dataLength * 3) / 4];
        var written = 0;
        var buffer = 0;
        var bits = 0;
        for (var j = 0; j < dataLength; j++)
        {
            buffer = (buffer << 6) | ValueOf(text[j], url);
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output[written++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        bytes = written == output.Length ? output : output[..written];
        error = null;
        return true;
    }

    private static int ValueOf(char c, bool url) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' when url => 62,
        '_' when url => 63,
        '+' when !url => 62,
        '/' when !url => 63,
        _ => -1,
    };

    private static string Describe(char c) => c is >= ' ' and < (char)0x7F ? $"'{c}'" : $"U+{(int)c:X4}";
}
