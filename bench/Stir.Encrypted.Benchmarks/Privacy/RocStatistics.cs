namespace Stir.Encrypted.Benchmarks.Privacy;

/// <summary>
/// How well one number (a response time) separates two classes: the area under the ROC curve of the best
/// single-threshold classifier family, i.e. the Mann–Whitney statistic P(X &gt; Y) + ½ P(X = Y), with its 95 %
/// interval by DeLong's method (DeLong, DeLong &amp; Clarke-Pearson 1988, with the structural components computed
/// from mid-ranks). 0.5 is chance; a classifier that flips its answer gets 1 − AUC, so both sides of 0.5 count.
/// </summary>
internal static class RocStatistics
{
    public sealed record Auc(double Value, double Low, double High, int Positives, int Negatives)
    {
        /// <summary>max(AUC, 1 − AUC) and the matching bound of the interval: how far from chance the better direction gets.</summary>
        public (double Value, double High) Distinguishing => Value >= 0.5 ? (Value, High) : (1 - Value, 1 - Low);
    }

    /// <summary>AUC of "<paramref name="positives"/> take longer than <paramref name="negatives"/>".</summary>
    public static Auc Compute(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        int m = positives.Count, n = negatives.Count;
        if (m < 2 || n < 2)
        {
            return new Auc(double.NaN, double.NaN, double.NaN, m, n);
        }

        var all = new double[m + n];
        for (var i = 0; i < m; i++)
        {
            all[i] = positives[i];
        }

        for (var j = 0; j < n; j++)
        {
            all[m + j] = negatives[j];
        }

        var combined = MidRanks(all);
        var withinX = MidRanks([.. positives]);
        var withinY = MidRanks([.. negatives]);
        var rankSumX = 0.0;
        for (var i = 0; i < m; i++)
        {
            rankSumX += combined[i];
        }

        var auc = (rankSumX - (m * (m + 1) / 2.0)) / ((double)m * n);

        // V10(x_i) = P(x_i > Y) = (combined rank − own rank) / n; V01(y_j) = P(X > y_j) = 1 − (combined − own) / m.
        var v10 = new double[m];
        var v01 = new double[n];
        for (var i = 0; i < m; i++)
        {
            v10[i] = (combined[i] - withinX[i]) / n;
        }

        for (var j = 0; j < n; j++)
        {
            v01[j] = 1 - ((combined[m + j] - withinY[j]) / m);
        }

        var variance = (Variance(v10, auc) / m) + (Variance(v01, auc) / n);
        var half = 1.959964 * Math.Sqrt(variance);
        return new Auc(auc, Math.Max(0, auc - half), Math.Min(1, auc + half), m, n);
    }

    /// <summary>
    /// A 95 % interval of the AUC by a block bootstrap over time: the samples of both classes are grouped in blocks of
    /// <paramref name="blockSeconds"/> of the run, and whole blocks are resampled, so that samples taken close together
    /// (alike because the machine's state drifts) count as what they are, not as independent draws.
    /// </summary>
    public static (double Low, double High) BlockBootstrap(IReadOnlyList<(double At, double Us)> positives, IReadOnlyList<(double At, double Us)> negatives, double blockSeconds, int replicates, int seed)
    {
        var blocks = positives.Select(p => (Block: (long)(p.At / blockSeconds), Positive: true, p.Us))
            .Concat(negatives.Select(n => (Block: (long)(n.At / blockSeconds), Positive: false, n.Us)))
            .GroupBy(x => x.Block)
            .Select(g => (Positives: g.Where(x => x.Positive).Select(x => x.Us).ToArray(), Negatives: g.Where(x => !x.Positive).Select(x => x.Us).ToArray()))
            .ToArray();
        if (blocks.Length < 2)
        {
            return (double.NaN, double.NaN);
        }

        var random = new Random(seed);
        var aucs = new double[replicates];
        var x = new List<double>();
        var y = new List<double>();
        for (var r = 0; r < replicates; r++)
        {
            x.Clear();
            y.Clear();
            for (var b = 0; b < blocks.Length; b++)
            {
#pragma warning disable CA5394 // a seeded resampling, nothing secret
                var block = blocks[random.Next(blocks.Length)];
#pragma warning restore CA5394
                x.AddRange(block.Positives);
                y.AddRange(block.Negatives);
            }

            aucs[r] = x.Count > 0 && y.Count > 0 ? MannWhitney(x, y) : 0.5;
        }

        Array.Sort(aucs);
        return (aucs[(int)(0.025 * replicates)], aucs[(int)(0.975 * replicates) - 1]);
    }

    /// <summary>P(X &gt; Y) + ½ P(X = Y) by one sort.</summary>
    private static double MannWhitney(List<double> x, List<double> y)
    {
        var ys = y.ToArray();
        Array.Sort(ys);
        var sum = 0.0;
        foreach (var v in x)
        {
            var below = LowerBound(ys, v);
            var upTo = UpperBound(ys, v);
            sum += below + ((upTo - below) / 2.0);
        }

        return sum / ((double)x.Count * ys.Length);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static double Variance(double[] values, double mean)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return sum / (values.Length - 1);
    }

    /// <summary>1-based ranks, ties sharing the mean of their ranks.</summary>
    private static double[] MidRanks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }

            var rank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = rank;
            }

            i = j + 1;
        }

        return ranks;
    }
}
