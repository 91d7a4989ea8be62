using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// The directory bucket of a number (spec/protocol.md §10 "Bucketed lookup"): the top <c>b</c> bits of
/// SHA-256("stir-dir/v1/bucket" ‖ 0x00 ‖ tn), written as exactly ⌈b/4⌉ lowercase hex digits. A bucket holds
/// the records of many unrelated numbers, so asking for it does not name the number.
/// </summary>
internal static class KeyRecordBucket
{
    public const int MinBits = 1;
    public const int MaxBits = 24;
    public const int DefaultBits = 12;

    private static readonly byte[] Label = "stir-dir/v1/bucket\0"u8.ToArray();

    public static uint Of(TelephoneNumber number, int bits)
    {
        ArgumentNullException.ThrowIfNull(number);
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, MinBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, MaxBits);
        Span<byte> input = stackalloc byte[Label.Length + TelephoneNumber.MaxLength];
        Label.CopyTo(input);
        var length = Label.Length + System.Text.Encoding.ASCII.GetBytes(number.Value, input[Label.Length..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..length], hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash) >> (32 - bits);
    }

    public static int Digits(int bits) => (bits + 3) / 4;

    public static string Format(uint bucket, int bits) => bucket.ToString("x" + Digits(bits).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Reads exactly ⌈b/4⌉ lowercase hex digits with a value below 2^b.</summary>
    public static bool TryParse(string text, int bits, [NotNullWhen(true)] out uint? bucket)
    {
        bucket = null;
        if (text.Length != Digits(bits) || text.Any(c => !char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')))
        {
            return false;
        }

        var value = uint.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (value >= 1u << bits)
        {
            return false;
        }

        bucket = value;
        return true;
    }
}
