namespace Stir.Encrypted;

/// <summary>
/// Unpadded base64url (RFC 4648 §5, RFC 7515 §2) with exact decoding: no padding, no characters outside
/// the alphabet, no whitespace, and unused trailing bits zero, so that every byte string has exactly one
/// accepted text form.
/// </summary>
public static class Base64Url
{
    /// <summary>Encodes without padding.</summary>
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Decodes exactly; false for any text that is not the canonical encoding of some bytes.</summary>
    public static bool TryDecode(string text, out byte[] data)
    {
        ArgumentNullException.ThrowIfNull(text);
        data = [];
        if (text.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        var buffer = new byte[System.Buffers.Text.Base64Url.GetMaxDecodedLength(text.Length)];
        if (!System.Buffers.Text.Base64Url.TryDecodeFromChars(text, buffer, out var written))
        {
            return false;
        }

        data = written == buffer.Length ? buffer : buffer[..written];

        // Non-canonical trailing bits (e.g. "AB" vs "AA" both decoding to 0x00) are refused by re-encoding.
        return string.Equals(Encode(data), text, StringComparison.Ordinal);
    }
}
