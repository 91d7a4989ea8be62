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

    /// <summary>
    /// The lifetimes of four consecutive draws (32 bytes, big-endian each), exactly as <see cref="FromBytes"/> gives
    /// them one by one: the four logarithms run interleaved so that their multiplications overlap, which is
    /// what a cover timeline needs when it walks dozens of draws on a cold bucket.
    /// </summary>
    public void FromBytes4(ReadOnlySpan<byte> draws, Span<long> lifetimes)
    {
        if (draws.Length != 32 || lifetimes.Length != 4)
        {
            throw new ArgumentException("four draws of 8 bytes give four lifetimes");
        }

        Span<ulong> logs = stackalloc ulong[4];
        NegativeLnQ40x4(
            BinaryPrimitives.ReadUInt64BigEndian(draws),
            BinaryPrimitives.ReadUInt64BigEndian(draws[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(draws[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(draws[24..]),
            logs);
        for (var i = 0; i < 4; i++)
        {
            var high = Math.BigMul((ulong)MeanExtraMs, logs[i], out var low);
            var extra = (long)((high << (64 - FractionBits)) | (low >> FractionBits));
            lifetimes[i] = MinMs + Math.Min(extra, MaxMs - MinMs);
        }
    }

    /// <summary>A fresh lifetime for a real blob, from the operating system's CSPRNG.</summary>
    public long DrawReal()
    {
        Span<byte> draw = stackalloc byte[8];
        RandomNumberGenerator.Fill(draw);
        return FromBytes(draw);
    }

    /// <summary><see cref="NegativeLnQ40"/> of four values at once, step for step the same arithmetic.</summary>
    internal static void NegativeLnQ40x4(ulong r0, ulong r1, ulong r2, ulong r3, Span<ulong> logs)
    {
        var (n0, y0) = Mantissa(r0);
        var (n1, y1) = Mantissa(r1);
        var (n2, y2) = Mantissa(r2);
        var (n3, y3) = Mantissa(r3);
        ulong f0 = 0, f1 = 0, f2 = 0, f3 = 0;
        for (var i = 0; i < FractionBits; i++)
        {
            // Square's step, written out per lane so that the JIT keeps all eight values in registers.
            var h0 = Math.BigMul(y0, y0, out var l0);
            var h1 = Math.BigMul(y1, y1, out var l1);
            var h2 = Math.BigMul(y2, y2, out var l2);
            var h3 = Math.BigMul(y3, y3, out var l3);
            var b0 = h0 >> 63;
            var b1 = h1 >> 63;
            var b2 = h2 >> 63;
            var b3 = h3 >> 63;
            f0 = (f0 << 1) | b0;
            f1 = (f1 << 1) | b1;
            f2 = (f2 << 1) | b2;
            f3 = (f3 << 1) | b3;
            y0 = (h0 << (int)(b0 ^ 1)) | ((l0 >> 63) & (b0 ^ 1));
            y1 = (h1 << (int)(b1 ^ 1)) | ((l1 >> 63) & (b1 ^ 1));
            y2 = (h2 << (int)(b2 ^ 1)) | ((l2 >> 63) & (b2 ^ 1));
            y3 = (h3 << (int)(b3 ^ 1)) | ((l3 >> 63) & (b3 ^ 1));
        }

        logs[0] = Scale(n0, f0);
        logs[1] = Scale(n1, f1);
        logs[2] = Scale(n2, f2);
        logs[3] = Scale(n3, f3);
    }

    /// <summary>
    /// −ln((r + 1) / 2^64) in unsigned fixed point with <see cref="FractionBits"/> fractional bits, rounded
    /// down at every step: −log2 by integer part plus bit-by-bit squaring, then times ln 2.
    /// </summary>
    internal static ulong NegativeLnQ40(ulong r)
    {
        var (n, y) = Mantissa(r);
        ulong fraction = 0;
        for (var i = 0; i < FractionBits; i++)
        {
            // y² in Q.63, truncated: (high:low) >> 63, which is below 2^65. When y² ≥ 2 (bit = 1), halve it
            // (the 65-bit value shifted right once is exactly high) and emit a 1 bit. Written without a branch:
            // the bit is a coin flip, and a mispredicted branch per step cost more than the multiplication
            // (bench `costs --only Cover`: 0.29 µs per draw with the branch).
            var high = Math.BigMul(y, y, out var low);
            var bit = high >> 63;
            fraction = (fraction << 1) | bit;
            y = (high << (int)(bit ^ 1)) | ((low >> 63) & (bit ^ 1));
        }

        return Scale(n, fraction);
    }

    // x = r + 1 ∈ [1, 2^64]; n = floor(log2 x); mantissa y = x / 2^n ∈ [1, 2) in Q1.63 (exact).
    private static (int N, ulong Y) Mantissa(ulong r)
    {
        if (r == ulong.MaxValue)
        {
            return (64, 1UL << 63);
        }

        var x = r + 1;
        var n = 63 - BitOperations.LeadingZeroCount(x);
        return (n, x << (63 - n));
    }

    // log2(x) = n + fraction·2^-40; −log2(v) = 64 − log2(x) ≥ 0, below 2^47; times ln 2 (Q0.64).
    private static ulong Scale(int n, ulong fraction)
    {
        var negLog2 = ((ulong)(64 - n) << FractionBits) - fraction;
        return Math.BigMul(negLog2, Ln2Q64, out _);
    }
}
