using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The padded plaintext inside every blob (spec/protocol.md §6):
/// <c>0x01 ‖ u16be(L) ‖ payload ‖ zeros</c>, the payload being the canonical JSON
/// <c>{"passports":["&lt;jws&gt;",...]}</c>. Padding happens here, inside the encryption, so that the CPS
/// sees one length per size class whatever the PASSporT set.
/// </summary>
public static class BlobPlaintext
{
    /// <summary>The format version byte.</summary>
    public const byte Version = 1;

    /// <summary>Bytes before the payload: version and length.</summary>
    public const int HeaderSize = 3;

    /// <summary>The most PASSporTs one blob carries.</summary>
    public const int MaxPassports = 16;

    private static readonly byte[] Prefix = Encoding.ASCII.GetBytes("{\"passports\":[");
    private static readonly byte[] Suffix = Encoding.ASCII.GetBytes("]}");

    /// <summary>The payload length (L) the given PASSporTs need.</summary>
    public static int PayloadLength(IReadOnlyList<string> passports)
    {
        CheckPassports(passports);
        var length = Prefix.Length + Suffix.Length + (passports.Count - 1);
        foreach (var p in passports)
        {
            length += p.Length + 2;
        }

        return length;
    }

    /// <summary>Writes the padded plaintext of exactly <paramref name="plaintext"/>.Length bytes.</summary>
    /// <exception cref="ArgumentException">The PASSporTs are not compact JWS strings, there are none or too many, or they do not fit.</exception>
    public static void Encode(IReadOnlyList<string> passports, Span<byte> plaintext)
    {
        var length = PayloadLength(passports);
        if (length > plaintext.Length - HeaderSize || length > ushort.MaxValue)
        {
            throw new ArgumentException($"the PASSporT set needs {length} bytes; this size class carries at most {plaintext.Length - HeaderSize}", nameof(passports));
        }

        plaintext.Clear();
        plaintext[0] = Version;
        BinaryPrimitives.WriteUInt16BigEndian(plaintext[1..], (ushort)length);
        var w = plaintext[HeaderSize..];
        var n = 0;
        Prefix.CopyTo(w);
        n += Prefix.Length;
        for (var i = 0; i < passports.Count; i++)
        {
            if (i > 0)
            {
                w[n++] = (byte)',';
            }

            w[n++] = (byte)'"';
            n += Encoding.ASCII.GetBytes(passports[i], w[n..]);
            w[n++] = (byte)'"';
        }

        Suffix.CopyTo(w[n..]);
    }

    /// <summary>Allocating form of <see cref="Encode(IReadOnlyList{string}, Span{byte})"/>.</summary>
    public static byte[] Encode(IReadOnlyList<string> passports, int plaintextSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(plaintextSize, HeaderSize + 1);
        var buffer = new byte[plaintextSize];
        Encode(passports, buffer);
        return buffer;
    }

    /// <summary>
    /// Reads the PASSporTs out of an opened blob. Strict: version 1, L within the plaintext, every padding
    /// byte zero, the payload exactly <c>{"passports":[...]}</c> with 1..16 compact JWS strings and no
    /// duplicate or extra members.
    /// </summary>
    /// <exception cref="BlobFormatException">The plaintext breaks a rule; the message names it.</exception>
    public static IReadOnlyList<string> Decode(ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length < HeaderSize)
        {
            throw new BlobFormatException($"blob plaintext is {plaintext.Length} bytes, shorter than its {HeaderSize}-byte header");
        }

        if (plaintext[0] != Version)
        {
            throw new BlobFormatException($"blob plaintext version is {plaintext[0]}, expected {Version}");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(plaintext[1..]);
        if (length > plaintext.Length - HeaderSize)
        {
            throw new BlobFormatException($"blob payload length {length} exceeds the {plaintext.Length - HeaderSize} bytes available");
        }

        var padding = plaintext[(HeaderSize + length)..];
        var nonZero = padding.IndexOfAnyExcept((byte)0);
        if (nonZero >= 0)
        {
            throw new BlobFormatException($"blob padding byte {HeaderSize + length + nonZero} is 0x{padding[nonZero]:x2}, not zero");
        }

        var payload = plaintext.Slice(HeaderSize, length);
        var passports = ParsePayload(payload);

        // One accepted byte form per PASSporT set: whitespace or escapes inside the JSON are refused too.
        var expected = new byte[HeaderSize + length];
        if (PayloadLength(passports) != length)
        {
            throw new BlobFormatException("the payload is not canonical JSON (no whitespace, no escapes)");
        }

        Encode(passports, expected);
        if (!expected.AsSpan(HeaderSize).SequenceEqual(payload))
        {
            throw new BlobFormatException("the payload is not canonical JSON (no whitespace, no escapes)");
        }

        return passports;
    }

    private static List<string> ParsePayload(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 3 });
        var passports = new List<string>();
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, "the payload is not a JSON object");
            Expect(ref reader, JsonTokenType.PropertyName, "the payload object is empty");
            if (!reader.ValueTextEquals("passports"u8))
            {
                throw new BlobFormatException($"unexpected payload member \"{reader.GetString()}\" (only \"passports\" is allowed)");
            }

            Expect(ref reader, JsonTokenType.StartArray, "\"passports\" is not an array");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new BlobFormatException($"\"passports\"[{passports.Count}] is not a string");
                }

                var value = reader.GetString()!;
                if (!IsCompactJws(value))
                {
                    throw new BlobFormatException($"\"passports\"[{passports.Count}] is not a compact JWS (three base64url parts)");
                }

                passports.Add(value);
                if (passports.Count > MaxPassports)
                {
                    throw new BlobFormatException($"\"passports\" has more than {MaxPassports} entries");
                }
            }

            if (passports.Count == 0)
            {
                throw new BlobFormatException("\"passports\" is empty");
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
            {
                throw new BlobFormatException("the payload has members after \"passports\" (only \"passports\" is allowed)");
            }

            if (reader.BytesConsumed != payload.Length)
            {
                throw new BlobFormatException("the payload has bytes after its JSON object");
            }
        }
        catch (JsonException ex)
        {
            throw new BlobFormatException($"the payload is not valid JSON: {ex.Message}");
        }

        return passports;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string message)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new BlobFormatException(message);
        }
    }

    private static void CheckPassports(IReadOnlyList<string> passports)
    {
        ArgumentNullException.ThrowIfNull(passports);
        if (passports.Count is 0 or > MaxPassports)
        {
            throw new ArgumentException($"a blob carries 1 to {MaxPassports} PASSporTs, not {passports.Count}", nameof(passports));
        }

        for (var i = 0; i < passports.Count; i++)
        {
            if (!IsCompactJws(passports[i]))
            {
                throw new ArgumentException($"PASSporT {i} is not a full-form compact JWS", nameof(passports));
            }
        }
    }

    // Full form only (RFC 8225 §7): header.claims.signature, each non-empty base64url.
    private static bool IsCompactJws(string value)
    {
        var dots = 0;
        var partLength = 0;
        foreach (var c in value)
        {
            if (c == '.')
            {
                if (partLength == 0)
                {
                    return false;
                }

                dots++;
                partLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_')
            {
                partLength++;
            }
            else
            {
                return false;
            }
        }

        return dots == 2 && partLength > 0;
    }
}
