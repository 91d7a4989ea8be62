using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Stir.Encrypted.Cps;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// How long every slot occupant lives, real or cover (spec/protocol.md §9 "Lifetimes"):
/// <c>min + min(X, max − min)</c> with X exponential of mean <c>meanExtra</c>, in whole milliseconds.
/// </summary>
/// <remarks>
/// X is computed from a 64-bit uniform integer in fixed-point arithmetic only, so that every node, whatever
/// its processor or C library, turns the same cover keystream into the same lifetimes to the millisecond
/// (floating-point <c>log</c> is not guaranteed to round the same way everywhere). The exact steps are in
/// spec/protocol.md §9 so that an auditor can recompute them.
/// </remarks>
internal sealed class LifetimeLaw
{
    // ln 2 in unsigned Q0.64: floor(ln(2) · 2^64).
    private const ulong Ln2Q64 = 0xB17217F7D1CF79AB;

    /// <summary>Fractional bits of the fixed-point logarithm.</summary>
    internal const int FractionBits = 40;

    public LifetimeLaw(RetentionPolicy retention)
    {
        ArgumentNullException.ThrowIfNull(retention);
        MinMs = retention.MinSeconds * 1000L;
        MeanExtraMs = retention.MeanExtraSeconds * 1000L;
        MaxMs = retention.MaxSeconds * 1000L;
    }

    public long MinMs { get; }

    public long MeanExtraMs { get; }

    public long MaxMs { get; }

    /// <summary>The lifetime that the 64-bit uniform value <paramref name="r"/> stands for.</summary>
    public long FromUniform(ulong r)
    {
        // spec §9: X_ms = floor(meanExtra_ms · (−ln v)), v = (r + 1) / 2^64 ∈ (0, 1]; the product has up to 68 bits.
        var high = Math.BigMul((ulong)MeanExtraMs, NegativeLnQ40(r), out var low);
        var extra = (long)((high << (64 - FractionBits)) | (low >> FractionBits));
        return MinMs + Math.Min(extra, MaxMs - MinMs);
    }

    /// <summary>The lifetime encoded by the first 8 bytes of <paramref name="draw"/> (big-endian).</summary>
    public long FromBytes(ReadOnlySpan<byte> draw) => FromUniform(BinaryPrimitives.ReadUInt64BigEndian(draw));

    /// <summary>A fresh lifetime for a real blob, from the operating system's CSPRNG.</summary>
    public long DrawReal()
    {
        Span<byte> draw = stackalloc byte[8];
        RandomNumberGenerator.Fill(draw);
        return FromBytes(draw);
    }

    /// <summary>
    /// −ln((r + 1) / 2^64) in unsigned fixed point with <see cref="FractionBits"/> fractional bits, rounded
    /// down at every step: −log2 by integer part plus bit-by-bit squaring, then times ln 2.
    /// </summary>
    internal static ulong NegativeLnQ40(ulong r)
    {
        // x = r + 1 ∈ [1, 2^64]; n = floor(log2 x); mantissa y = x / 2^n ∈ [1, 2) in Q1.63 (exact).
        int n;
        ulong y;
        if (r == ulong.MaxValue)
        {
            n = 64;
            y = 1UL << 63;
        }
        else
        {
            var x = r + 1;
            n = 63 - BitOperations.LeadingZeroCount(x);
            y = x << (63 - n);
        }

        ulong fraction = 0;
        for (var i = 0; i < FractionBits; i++)
        {
            // y² in Q.63, truncated: (high:low) >> 63, which is below 2^65.
            var high = Math.BigMul(y, y, out var low);
            fraction <<= 1;
            if (high >> 63 != 0)
            {
                // y² ≥ 2: halve it (the 65-bit value shifted right once is exactly high) and emit a 1 bit.
                y = high;
                fraction |= 1;
            }
            else
            {
                y = (high << 1) | (low >> 63);
            }
        }

        // log2(x) = n + fraction·2^-40; −log2(v) = 64 − log2(x) ≥ 0, below 2^47; times ln 2 (Q0.64).
        var negLog2 = ((ulong)(64 - n) << FractionBits) - fraction;
        return Math.BigMul(negLog2, Ln2Q64, out _);
    }
}
