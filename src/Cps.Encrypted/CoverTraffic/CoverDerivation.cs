using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// The exact derivations of spec/protocol.md §9 "Derivations", in one place, so that the text and the code
/// can be compared line by line and an auditor can recompute any decoy from <c>K_cover</c>.
/// </summary>
internal static class CoverDerivation
{
    /// <summary>The cover key length in bytes.</summary>
    public const int CoverKeySize = 32;

    /// <summary>Bytes of one keystream chunk (16 ChaCha20 blocks).</summary>
    public const int ChunkSize = 1024;

    /// <summary>Lifetime draws per keystream chunk (8 bytes each).</summary>
    public const int DrawsPerChunk = ChunkSize / 8;

    // bucket id = u64be(epoch) ‖ u32be(size) ‖ u32be(bucket) ‖ u16be(slot) ‖ i64be(segment start ms)
    private const int SegmentIdSize = 8 + 4 + 4 + 2 + 8;

    private static readonly byte[] LifetimesLabel = Encoding.ASCII.GetBytes("stir-oob/v1/cover/lifetimes\0");
    private static readonly byte[] OccupantLabel = Encoding.ASCII.GetBytes("stir-oob/v1/cover/occupant\0");
    private static readonly byte[] EncLabel = Encoding.ASCII.GetBytes("enc");
    private static readonly byte[] AeadLabel = Encoding.ASCII.GetBytes("aead");

    /// <summary>k_seg = HMAC-SHA256(K_cover, "stir-oob/v1/cover/lifetimes" ‖ 0x00 ‖ segment id).</summary>
    public static void SegmentKey(ReadOnlySpan<byte> coverKey, BucketKey bucket, int slot, long segmentStartUnixMs, Span<byte> segmentKey)
    {
        Span<byte> message = stackalloc byte[LifetimesLabel.Length + SegmentIdSize];
        LifetimesLabel.CopyTo(message);
        WriteSegmentId(message[LifetimesLabel.Length..], bucket, slot, segmentStartUnixMs);
        HMACSHA256.HashData(coverKey, message, segmentKey);
    }

    /// <summary>
    /// Keystream chunk <paramref name="chunk"/> of a segment: ChaCha20 (RFC 8439 §2.4) under k_seg, nonce
    /// 0x00000000 ‖ u64be(chunk), block counter from 1, 1024 bytes, which is exactly the ciphertext part of
    /// RFC 8439 §2.8 ChaCha20-Poly1305 sealing 1024 zero bytes with that key and nonce.
    /// </summary>
    public static void KeystreamChunk(ChaCha20Poly1305 aead, long chunk, Span<byte> keystream)
    {
        ArgumentNullException.ThrowIfNull(aead);
        if (keystream.Length != ChunkSize)
        {
            throw new ArgumentException($"a keystream chunk is {ChunkSize} bytes", nameof(keystream));
        }

        Span<byte> nonce = stackalloc byte[12];
        nonce.Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], chunk);
        Span<byte> zeros = stackalloc byte[ChunkSize];
        zeros.Clear();
        Span<byte> tag = stackalloc byte[16];
        aead.Encrypt(nonce, zeros, keystream, tag);
    }

    /// <summary>
    /// k_occ = HMAC-SHA256(K_cover, "stir-oob/v1/cover/occupant" ‖ 0x00 ‖ segment id ‖ u32be(index)); then
    /// sk = HMAC-SHA256(k_occ, "enc") and key = HMAC-SHA256(k_occ, "aead").
    /// </summary>
    public static void OccupantSecrets(ReadOnlySpan<byte> coverKey, in CoverOccupant occupant, Span<byte> sk, Span<byte> aeadKey)
    {
        Span<byte> message = stackalloc byte[OccupantLabel.Length + SegmentIdSize + 4];
        OccupantLabel.CopyTo(message);
        WriteSegmentId(message[OccupantLabel.Length..], occupant.Bucket, occupant.Slot, occupant.SegmentStartUnixMs);
        BinaryPrimitives.WriteUInt32BigEndian(message[(OccupantLabel.Length + SegmentIdSize)..], checked((uint)occupant.Index));
        Span<byte> occupantKey = stackalloc byte[32];
        HMACSHA256.HashData(coverKey, message, occupantKey);
        HMACSHA256.HashData(occupantKey, EncLabel, sk);
        HMACSHA256.HashData(occupantKey, AeadLabel, aeadKey);
        CryptographicOperations.ZeroMemory(occupantKey);
    }

    private static void WriteSegmentId(Span<byte> destination, BucketKey bucket, int slot, long segmentStartUnixMs)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, bucket.Epoch);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], checked((uint)bucket.Size));
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], bucket.Bucket);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], checked((ushort)slot));
        BinaryPrimitives.WriteInt64BigEndian(destination[18..], segmentStartUnixMs);
    }
}
