using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Spec;

/// <summary>
/// Recomputes the decoys of a bucket from K_cover exactly as spec/protocol.md §9 "Derivations" writes them,
/// with independent code (BigInteger arithmetic, BouncyCastle X25519, the BCL AEAD) and compares them with
/// what the service serves: the text is exact enough for an auditor.
/// </summary>
public sealed class CoverAuditTests
{
    private const long EpochMs = 3_600_000;
    private const long MinMs = 20_000;
    private const long MeanMs = 10_000;
    private const long MaxMs = 60_000;
    private const long SkewMs = 5_000;
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);

    [Fact]
    public async Task EmptyBucket_ServesExactlyTheDecoysTheSpecDerives()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        var coverKey = (await factory.Store.GetCoverKeyAsync(default)).ToArray();
        factory.Time.Advance(TimeSpan.FromMilliseconds(123_457));
        var now = factory.Time.GetUtcNow().ToUnixTimeMilliseconds();

        var served = await client.RetrieveBlobsAsync(Epoch, "2a3b");

        var anchor = ((long)Epoch * EpochMs) - (8 * MaxMs) - (2 * SkewMs);
        var expected = Enumerable.Range(0, 16).Select(slot => Decoy(coverKey, 0x2a3b, slot, anchor, now)).ToList();
        Assert.Equal(Sorted(expected), Sorted(served));
    }

    [Fact]
    public async Task AfterARealBlobEnds_TheSlotServesTheDecoysOfTheSegmentStartingAtItsEnd()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        var coverKey = (await factory.Store.GetCoverKeyAsync(default)).ToArray();
        await client.StoreAsync(Epoch, "0123", RandomNumberGenerator.GetBytes(2048));
        var real = Assert.Single(factory.Store.LiveBlobs(new(Epoch, 2048, 0x0123)));
        factory.Time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(real.EndUnixMs + 45_678));
        var now = factory.Time.GetUtcNow().ToUnixTimeMilliseconds();

        var served = await client.RetrieveBlobsAsync(Epoch, "0123");

        var anchor = ((long)Epoch * EpochMs) - (8 * MaxMs) - (2 * SkewMs);
        var expected = Enumerable.Range(0, 16).Select(slot => Decoy(coverKey, 0x0123, slot, slot == real.Slot ? real.EndUnixMs : anchor, now)).ToList();
        Assert.Equal(Sorted(expected), Sorted(served));
    }

    // spec §9: the cover of (bucket, slot) at t in the segment starting at s0.
    private static byte[] Decoy(byte[] coverKey, uint bucket, int slot, long segmentStart, long t)
    {
        var segmentId = SegmentId(bucket, slot, segmentStart);
        var kSeg = HMACSHA256.HashData(coverKey, (byte[])[.. "stir-oob/v1/cover/lifetimes\0"u8, .. segmentId]);
        var birth = segmentStart;
        var index = 0;
        for (long chunk = 0; ; chunk++)
        {
            var nonce = new byte[12];
            BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), (ulong)chunk);
            var keystream = new byte[1024];
            using (var chacha = new ChaCha20Poly1305(kSeg))
            {
                chacha.Encrypt(nonce, new byte[1024], keystream, new byte[16]);
            }

            for (var j = 0; j < 128; j++, index++)
            {
                var end = birth + Lifetime(BinaryPrimitives.ReadUInt64BigEndian(keystream.AsSpan(j * 8)));
                if (t < end)
                {
                    return CoverBytes(coverKey, segmentId, index);
                }

                birth = end;
            }
        }
    }

    private static byte[] CoverBytes(byte[] coverKey, byte[] segmentId, int index)
    {
        var indexBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(indexBytes, (uint)index);
        var kOcc = HMACSHA256.HashData(coverKey, (byte[])[.. "stir-oob/v1/cover/occupant\0"u8, .. segmentId, .. indexBytes]);
        var sk = HMACSHA256.HashData(kOcc, "enc"u8);
        var key = HMACSHA256.HashData(kOcc, "aead"u8);
        var enc = new X25519PrivateKeyParameters(sk).GeneratePublicKey().GetEncoded();
        var ct = new byte[2048 - 32 - 16];
        var tag = new byte[16];
        using (var aead = new ChaCha20Poly1305(key))
        {
            aead.Encrypt(new byte[12], new byte[ct.Length], ct, tag);
        }

        return [.. enc, .. ct, .. tag];
    }

    // u64be(epoch) ‖ u32be(size) ‖ u32be(bucket) ‖ u16be(slot) ‖ i64be(segment start)
    private static byte[] SegmentId(uint bucket, int slot, long segmentStart)
    {
        var id = new byte[26];
        BinaryPrimitives.WriteUInt64BigEndian(id, Epoch);
        BinaryPrimitives.WriteUInt32BigEndian(id.AsSpan(8), 2048);
        BinaryPrimitives.WriteUInt32BigEndian(id.AsSpan(12), bucket);
        BinaryPrimitives.WriteUInt16BigEndian(id.AsSpan(16), (ushort)slot);
        BinaryPrimitives.WriteInt64BigEndian(id.AsSpan(18), segmentStart);
        return id;
    }

    // spec §9 "Lifetime of a draw", step by step in arbitrary precision.
    internal static long Lifetime(ulong r)
    {
        var x = new BigInteger(r) + 1;
        var n = (int)(x.GetBitLength() - 1);
        var y = n <= 63 ? x << (63 - n) : x >> (n - 63);
        BigInteger f = 0;
        for (var i = 0; i < 40; i++)
        {
            y = (y * y) >> 63;
            f <<= 1;
            if (y >= BigInteger.One << 64)
            {
                y >>= 1;
                f += 1;
            }
        }

        var g = (new BigInteger(64 - n) << 40) - f;
        var h = (g * BigInteger.Parse("0B17217F7D1CF79AB", System.Globalization.NumberStyles.HexNumber)) >> 64;
        var extra = (long)((MeanMs * h) >> 40);
        return MinMs + Math.Min(extra, MaxMs - MinMs);
    }

    private static string Sorted(IEnumerable<byte[]> blobs) => string.Join("\n", blobs.Select(Convert.ToHexString).Order(StringComparer.Ordinal));
}
