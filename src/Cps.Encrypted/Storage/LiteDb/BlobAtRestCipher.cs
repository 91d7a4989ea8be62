using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// Encrypts a blob's bytes before they reach the database: AES-256-GCM under the key of the period containing
/// the blob's last instant, with the blob's place and life as associated data.
/// </summary>
/// <remarks>
/// The blobs are already HPKE ciphertexts, so this layer protects nothing about calls today; it makes expiry
/// final. LiteDB keeps old page images in its log and in freed pages (its file never shrinks), so deleting a
/// blob's document leaves its bytes on disk; once the period key is destroyed those bytes are noise, and the
/// CPS cannot be turned into an archive of who called whom even by reading its files later.
/// Sealed form: <c>nonce (12) ‖ ciphertext ‖ tag (16)</c>. The associated data binds the bucket, slot, start,
/// end and period, so a sealed blob moved to another bucket or given a longer life no longer opens.
/// Nonces are random: a key seals the blobs of one period only, far below the 2^32 limit for random nonces.
/// </remarks>
internal static class BlobAtRestCipher
{
    public const int NonceLength = 12;
    public const int TagLength = 16;
    public const int Overhead = NonceLength + TagLength;

    private const int AadLength = 20 + 8 + 4 + 4 + 4 + 8 + 8 + 8;

    private static ReadOnlySpan<byte> AadLabel => "stir-cps/v1/at-rest\0"u8;

    /// <summary>Encrypts <paramref name="plaintext"/> into a new array of <c>Overhead + plaintext.Length</c> bytes.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, in BlobPlace place, ReadOnlySpan<byte> plaintext)
    {
        var sealedBlob = new byte[Overhead + plaintext.Length];
        var nonce = sealedBlob.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        Span<byte> aad = stackalloc byte[AadLength];
        WriteAad(place, aad);
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(nonce, plaintext, sealedBlob.AsSpan(NonceLength, plaintext.Length), sealedBlob.AsSpan(NonceLength + plaintext.Length), aad);
        return sealedBlob;
    }

    /// <summary>
    /// Decrypts a sealed blob; false (and no plaintext) when it was altered, sealed for another place or period,
    /// or under another key.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> key, in BlobPlace place, ReadOnlySpan<byte> sealedBlob, out byte[] plaintext)
    {
        plaintext = [];
        if (sealedBlob.Length < Overhead)
        {
            return false;
        }
        Span<byte> aad = stackalloc byte[AadLength];
        WriteAad(place, aad);
        var output = new byte[sealedBlob.Length - Overhead];
        using var aes = new AesGcm(key, TagLength);
        try
        {
            aes.Decrypt(sealedBlob[..NonceLength], sealedBlob[NonceLength..^TagLength], sealedBlob[^TagLength..], output, aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(output);
            return false;
        }
        plaintext = output;
        return true;
    }

    private static void WriteAad(in BlobPlace place, Span<byte> aad)
    {
        AadLabel.CopyTo(aad);
        var rest = aad[AadLabel.Length..];
        BinaryPrimitives.WriteUInt64BigEndian(rest, place.Bucket.Epoch);
        BinaryPrimitives.WriteInt32BigEndian(rest[8..], place.Bucket.Size);
        BinaryPrimitives.WriteUInt32BigEndian(rest[12..], place.Bucket.Bucket);
        BinaryPrimitives.WriteInt32BigEndian(rest[16..], place.Slot);
        BinaryPrimitives.WriteInt64BigEndian(rest[20..], place.StartUnixMs);
        BinaryPrimitives.WriteInt64BigEndian(rest[28..], place.EndUnixMs);
        BinaryPrimitives.WriteInt64BigEndian(rest[36..], place.Period);
    }
}
