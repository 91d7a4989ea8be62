using System.Numerics;
using Stir.Encrypted.CpsService.CoverTraffic;

namespace Stir.Encrypted.Cps.Tests.CoverTraffic;

public sealed class LifetimeLawTests
{
    private static readonly LifetimeLaw Default = new(RetentionPolicy.Default);

    [Fact]
    public void FromUniform_AtTheTopOfTheRange_IsTheMinimum() => Assert.Equal(20_000, Default.FromUniform(ulong.MaxValue));

    [Fact]
    public void FromUniform_AtZero_IsCappedAtTheMaximum() => Assert.Equal(60_000, Default.FromUniform(0));

    [Fact]
    public void NegativeLn_OfOneHalf_IsLn2()
    {
        // v = 2^63 / 2^64 = 1/2, so −ln v = ln 2 = 0.6931471805599453...
        var q40 = LifetimeLaw.NegativeLnQ40((1UL << 63) - 1);

        Assert.Equal(Math.Floor(Math.Log(2) * (1L << 40)), q40, 1.0);
    }

    [Fact]
    public void FromUniform_MatchesTheDoublePrecisionFormulaWithinOneMillisecond()
    {
        var random = new Random(20300101);
        Span<byte> bytes = stackalloc byte[8];
        for (var i = 0; i < 100_000; i++)
        {
            random.NextBytes(bytes);
            var r = BitConverter.ToUInt64(bytes);
            var v = ((double)r + 1) / Math.Pow(2, 64);
            var expected = 20_000 + Math.Min(Math.Floor(10_000 * -Math.Log(v)), 40_000);

            Assert.InRange(Default.FromUniform(r), expected - 1, expected + 1);
        }
    }

    [Fact]
    public void FromUniform_AndFromBytes4_AreTheSpecsArbitraryPrecisionStepsExactly()
    {
        // The service computes draws branch-free and four at a time; both must give, to the millisecond, what
        // spec §9 "Lifetime of a draw" computes step by step (CoverAuditTests.Lifetime, in BigInteger).
        var random = new Random(20261127);
        var draws = new byte[32];
        var lifetimes = new long[4];
        ulong[] edges = [0, 1, 2, ulong.MaxValue, ulong.MaxValue - 1, 1UL << 63, (1UL << 63) - 1, (1UL << 32) - 1];
        for (var i = 0; i < 50_000; i++)
        {
            random.NextBytes(draws);
            if (i < edges.Length)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(draws.AsSpan(8 * (i % 4)), edges[i]);
            }

            Default.FromBytes4(draws, lifetimes);
            for (var k = 0; k < 4; k++)
            {
                var r = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(draws.AsSpan(8 * k));
                var expected = Spec.CoverAuditTests.Lifetime(r);
                Assert.Equal(expected, Default.FromUniform(r));
                Assert.Equal(expected, lifetimes[k]);
            }
        }
    }

    [Fact]
    public void FromUniform_EdgesOfTheFixedPoint_AreExact()
    {
        // Powers of two are where log2 is exact: v = 2^-k gives −ln v = k·ln 2.
        for (var k = 1; k <= 6; k++)
        {
            var r = (ulong)(BigInteger.Pow(2, 64 - k) - 1);
            var expected = (long)Math.Floor(10_000 * k * Math.Log(2));
            Assert.InRange(Default.FromUniform(r) - 20_000, Math.Min(expected - 1, 40_000), Math.Min(expected, 40_000));
        }
    }

    [Fact]
    public void DrawReal_HasTheLawsMeanAndBounds()
    {
        const int n = 200_000;
        long sum = 0;
        var atMax = 0;
        for (var i = 0; i < n; i++)
        {
            var l = Default.DrawReal();
            Assert.InRange(l, 20_000, 60_000);
            sum += l;
            atMax += l == 60_000 ? 1 : 0;
        }

        // E[L] = min + mean·(1 − e^{−(max − min)/mean}); P(L = max) = e^{−4} ≈ 1.83 %.
        var expectedMean = 20_000 + (10_000 * (1 - Math.Exp(-4)));
        Assert.InRange((double)sum / n, expectedMean - 100, expectedMean + 100);
        Assert.InRange(atMax / (double)n, 0.0183 - 0.002, 0.0183 + 0.002);
    }

    [Fact]
    public void FromUniform_OfUniformInputs_FollowsTheTruncatedExponential()
    {
        // Kolmogorov–Smirnov on the extra part below the cap: F(x) = 1 − e^{−x/mean}.
        var random = new Random(7);
        var extras = new double[50_000];
        Span<byte> bytes = stackalloc byte[8];
        for (var i = 0; i < extras.Length; i++)
        {
            random.NextBytes(bytes);
            extras[i] = Default.FromUniform(BitConverter.ToUInt64(bytes)) - 20_000;
        }

        Array.Sort(extras);
        var d = 0.0;
        for (var i = 0; i < extras.Length; i++)
        {
            if (extras[i] >= 40_000)
            {
                // The atom at the cap: the empirical mass below it must be F(cap⁻) = 1 − e^{−4}.
                d = Math.Max(d, Math.Abs(1 - Math.Exp(-4) - ((double)i / extras.Length)));
                break;
            }

            var f = 1 - Math.Exp(-extras[i] / 10_000);
            d = Math.Max(d, Math.Max(Math.Abs(f - ((i + 1.0) / extras.Length)), Math.Abs(f - ((double)i / extras.Length))));
        }

        // The 0.1 % critical value is 1.95/√n; the 1 ms flooring shifts F by at most 1e-4.
        Assert.True(d < (1.95 / Math.Sqrt(extras.Length)) + 1e-4, $"KS distance {d}");
    }
}
