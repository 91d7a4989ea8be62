using System.Security.Cryptography;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// When cover blobs are born and end (spec/protocol.md §9 "Determinism"): in a cover segment of a slot
/// (from the epoch's anchor or from the end of a real blob, until the next real arrival), cover <c>j</c>
/// lives <c>L_j</c>, the lifetime drawn from the segment's keystream, and the next cover is born when it
/// ends. Everything here is a function of <c>K_cover</c> and the segment's identity, so every node computes
/// the same schedule before and after a restart.
/// </summary>
/// <remarks>
/// Nothing is cached: every call walks the segment from its start (spec/protocol.md §8 "Retrieve", constant work).
/// A timeline cache shared across requests made a bucket that a store or a retrieval had just touched answer
/// faster than a cold one, which told a prober that the callee had just fetched it (issue 13). The walk costs
/// one HMAC, one 1 KiB keystream chunk per 128 lifetimes and ~0.1 µs per lifetime, well below the X25519 of a
/// cover blob.
/// </remarks>
internal sealed class CoverSchedule
{
    private readonly byte[] _coverKey;
    private readonly LifetimeLaw _law;

    public CoverSchedule(ReadOnlySpan<byte> coverKey, LifetimeLaw law)
    {
        if (coverKey.Length != CoverDerivation.CoverKeySize)
        {
            throw new ArgumentException($"the cover key is {CoverDerivation.CoverKeySize} bytes", nameof(coverKey));
        }

        ArgumentNullException.ThrowIfNull(law);
        _coverKey = coverKey.ToArray();
        _law = law;
    }

    /// <summary>The cover that the segment starting at <paramref name="segmentStartUnixMs"/> serves at <paramref name="t"/>.</summary>
    public CoverOccupant CoverAt(BucketKey bucket, int slot, long segmentStartUnixMs, long t)
    {
        if (t < segmentStartUnixMs)
        {
            throw new ArgumentOutOfRangeException(nameof(t), "the time is before the segment starts");
        }

        Span<byte> segmentKey = stackalloc byte[32];
        Span<byte> keystream = stackalloc byte[CoverDerivation.ChunkSize];
        Span<long> lifetimes = stackalloc long[4];
        CoverDerivation.SegmentKey(_coverKey, bucket, slot, segmentStartUnixMs, segmentKey);

        // b_0 = t0, b_{j+1} = b_j + L_j (spec §9): draw j is the lifetime of cover j; a new keystream chunk every
        // 128 draws, and the lifetimes four draws at a time (128 is a multiple of 4, LifetimeLaw.FromBytes4).
        var birth = segmentStartUnixMs;
        for (var j = 0; ; j++)
        {
            var offset = j % CoverDerivation.DrawsPerChunk;
            if (offset == 0)
            {
                CoverDerivation.KeystreamChunk(segmentKey, j / CoverDerivation.DrawsPerChunk, keystream);
            }

            if (offset % 4 == 0)
            {
                _law.FromBytes4(keystream.Slice(offset * 8, 32), lifetimes);
            }

            var end = birth + lifetimes[offset % 4];
            if (t < end)
            {
                // k_seg and its keystream say when this slot's covers renew: not for the heap or a later reader.
                CryptographicOperations.ZeroMemory(segmentKey);
                CryptographicOperations.ZeroMemory(keystream);
                return new CoverOccupant(bucket, slot, segmentStartUnixMs, j, birth, end);
            }

            birth = end;
        }
    }
}
