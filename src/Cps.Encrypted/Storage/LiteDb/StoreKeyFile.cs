using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// The file format of the store's 32-byte secrets: the period keys, the cover key and the index salt.
/// </summary>
/// <remarks>
/// <code>
/// magic (8 ASCII bytes, one per kind) ‖ u64be(label) ‖ value (32 bytes) ‖ SHA-256(magic ‖ label ‖ value)[0..16]
/// </code>
/// The label is the period number of a period key and 0 otherwise. The checksum is not a MAC: it tells a
/// damaged or truncated file from a good one, so that the store refuses to open on it instead of encrypting
/// or deriving decoys with a wrong secret.
/// </remarks>
internal static class StoreKeyFile
{
    /// <summary>The size of every such file.</summary>
    public const int Length = MagicLength + 8 + ValueLength + ChecksumLength;

    /// <summary>The size of the secret it holds.</summary>
    public const int ValueLength = 32;

    private const int MagicLength = 8;
    private const int ChecksumLength = 16;

    /// <summary>Builds the file's bytes.</summary>
    public static byte[] Format(StoreKeyKind kind, ulong label, ReadOnlySpan<byte> value)
    {
        if (value.Length != ValueLength)
        {
            throw new ArgumentException($"A store key is {ValueLength} bytes, not {value.Length}.", nameof(value));
        }
        var file = new byte[Length];
        Magic(kind).CopyTo(file);
        BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan(MagicLength), label);
        value.CopyTo(file.AsSpan(MagicLength + 8));
        SHA256.HashData(file.AsSpan(0, Length - ChecksumLength)).AsSpan(0, ChecksumLength).CopyTo(file.AsSpan(Length - ChecksumLength));
        return file;
    }

    /// <summary>
    /// Checks a file's bytes and copies its secret into <paramref name="value"/>; throws
    /// <see cref="CorruptStoreFileException"/> naming <paramref name="path"/> and the problem otherwise.
    /// </summary>
    public static void Parse(string path, ReadOnlySpan<byte> file, StoreKeyKind kind, ulong expectedLabel, Span<byte> value)
    {
        if (value.Length != ValueLength)
        {
            throw new ArgumentException($"A store key is {ValueLength} bytes, not {value.Length}.", nameof(value));
        }
        if (file.Length != Length)
        {
            throw new CorruptStoreFileException(path, $"length is {file.Length} bytes, expected {Length}");
        }
        var magic = Magic(kind);
        if (!file[..MagicLength].SequenceEqual(magic))
        {
            throw new CorruptStoreFileException(path, $"does not start with \"{Encoding.ASCII.GetString(magic)}\" (not a {Describe(kind)} file)");
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(file[..(Length - ChecksumLength)], hash);
        if (!CryptographicOperations.FixedTimeEquals(hash[..ChecksumLength], file[(Length - ChecksumLength)..]))
        {
            throw new CorruptStoreFileException(path, "checksum does not match its content (the file is damaged)");
        }
        var label = BinaryPrimitives.ReadUInt64BigEndian(file[MagicLength..]);
        if (label != expectedLabel)
        {
            throw new CorruptStoreFileException(path, $"holds the key of period {label}, but its name says period {expectedLabel}");
        }
        file.Slice(MagicLength + 8, ValueLength).CopyTo(value);
        CryptographicOperations.ZeroMemory(hash);
    }

    private static byte[] Magic(StoreKeyKind kind) => kind switch
    {
        StoreKeyKind.PeriodKey => "STIRCPK1"u8.ToArray(),
        StoreKeyKind.CoverKey => "STIRCCK1"u8.ToArray(),
        StoreKeyKind.IndexSalt => "STIRCIS1"u8.ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown store key kind."),
    };

    private static string Describe(StoreKeyKind kind) => kind switch
    {
        StoreKeyKind.PeriodKey => "period key",
        StoreKeyKind.CoverKey => "cover key",
        _ => "index salt",
    };
}

/// <summary>What a <see cref="StoreKeyFile"/> holds.</summary>
internal enum StoreKeyKind
{
    PeriodKey,
    CoverKey,
    IndexSalt,
}
