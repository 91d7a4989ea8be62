namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>Chi-square statistics on byte frequencies, reported as standard-normal z (Wilson–Hilferty).</summary>
internal static class ChiSquare
{
    public static long[] ByteCounts(IEnumerable<byte[]> blobs, int from)
    {
        var counts = new long[256];
        foreach (var blob in blobs)
        {
            foreach (var b in blob.AsSpan(from))
            {
                counts[b]++;
            }
        }

        return counts;
    }

    /// <summary>Goodness of fit of <paramref name="counts"/> to the uniform distribution over 256 values.</summary>
    public static double UniformZ(long[] counts)
    {
        double total = counts.Sum();
        var expected = total / counts.Length;
        var chi = counts.Sum(c => (c - expected) * (c - expected) / expected);
        return Z(chi, counts.Length - 1);
    }

    /// <summary>Homogeneity of two frequency tables (2 × 256 contingency table).</summary>
    public static double HomogeneityZ(long[] a, long[] b)
    {
        double na = a.Sum();
        double nb = b.Sum();
        var chi = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            double column = a[i] + b[i];
            if (column == 0)
            {
                continue;
            }

            var ea = column * na / (na + nb);
            var eb = column * nb / (na + nb);
            chi += ((a[i] - ea) * (a[i] - ea) / ea) + ((b[i] - eb) * (b[i] - eb) / eb);
        }

        return Z(chi, a.Length - 1);
    }

    // Wilson–Hilferty: (χ²/k)^(1/3) is nearly normal with mean 1 − 2/(9k) and variance 2/(9k).
    private static double Z(double chi, int k) => (Math.Cbrt(chi / k) - (1 - (2.0 / (9 * k)))) / Math.Sqrt(2.0 / (9 * k));
}
