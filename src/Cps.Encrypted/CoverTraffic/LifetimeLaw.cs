using System.Buffers.Binary;
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
        // spec §9: X_ms = floor(meanExtra_ms · (−ln v)), v = (r + 1) / 2^64 ∈ (0, 1].
        var extra = (long)((UInt128)(ulong)MeanExtraMs * NegativeLnQ40(r) >> FractionBits);
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
        var x = (UInt128)r + 1;                       // 1 .. 2^64
        var n = 127 - (int)UInt128.LeadingZeroCount(x); // floor(log2 x), 0 .. 64
        // Mantissa y = x / 2^n in [1, 2), held in Q1.63 (exact: x has at most n + 1 significant bits).
        var y = n <= 63 ? x << (63 - n) : x >> (n - 63);
        ulong fraction = 0;
        for (var i = 0; i < FractionBits; i++)
        {
            y = y * y >> 63; // y² in Q.63, truncated
            fraction <<= 1;
            if (y >> 64 != 0)
            {
                // y² ≥ 2: halve it and emit a 1 bit.
                y >>= 1;
                fraction |= 1;
            }
        }

        // log2(x) = n + fraction·2^-40; −log2(v) = 64 − log2(x) ≥ 0.
        var negLog2 = ((ulong)(64 - n) << FractionBits) - fraction;
        return (ulong)((UInt128)negLog2 * Ln2Q64 >> 64);
    }
}
