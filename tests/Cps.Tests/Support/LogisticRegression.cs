namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// A small, seeded logistic-regression classifier (standardised features, batch gradient descent with light
/// L2), evaluated by k-fold cross-validation: the "simple classifier" the threat-model tests train to tell real
/// blobs from decoys. Chance is 0.5 on the balanced sets the tests build.
/// </summary>
internal static class LogisticRegression
{
    /// <summary>Mean held-out accuracy over <paramref name="folds"/> folds of a seeded shuffle.</summary>
    public static double CrossValidatedAccuracy(IReadOnlyList<double[]> features, IReadOnlyList<bool> labels, int seed, int folds = 5)
    {
        var order = Enumerable.Range(0, features.Count).ToArray();
        new Random(seed).Shuffle(order);
        var correct = 0;
        for (var fold = 0; fold < folds; fold++)
        {
            var test = order.Where((_, i) => i % folds == fold).ToArray();
            var train = order.Where((_, i) => i % folds != fold).ToArray();
            var model = Train([.. train.Select(i => features[i])], [.. train.Select(i => labels[i])]);
            correct += test.Count(i => model(features[i]) == labels[i]);
        }

        return (double)correct / features.Count;
    }

    private static Func<double[], bool> Train(double[][] x, bool[] y)
    {
        var d = x[0].Length;
        var mean = new double[d];
        var scale = new double[d];
        for (var j = 0; j < d; j++)
        {
            mean[j] = x.Average(r => r[j]);
            var sd = Math.Sqrt(x.Average(r => (r[j] - mean[j]) * (r[j] - mean[j])));
            scale[j] = sd > 1e-12 ? sd : 1;
        }

        double[] Standardise(double[] r) => [.. r.Select((v, j) => (v - mean[j]) / scale[j])];
        var z = x.Select(Standardise).ToArray();
        var w = new double[d];
        var b = 0.0;
        const double rate = 0.5;
        const double l2 = 1e-3;
        for (var epoch = 0; epoch < 400; epoch++)
        {
            var gw = new double[d];
            var gb = 0.0;
            for (var i = 0; i < z.Length; i++)
            {
                var p = Sigmoid(b + Dot(w, z[i]));
                var e = p - (y[i] ? 1 : 0);
                gb += e;
                for (var j = 0; j < d; j++)
                {
                    gw[j] += e * z[i][j];
                }
            }

            b -= rate * gb / z.Length;
            for (var j = 0; j < d; j++)
            {
                w[j] -= rate * ((gw[j] / z.Length) + (l2 * w[j]));
            }
        }

        return r => b + Dot(w, Standardise(r)) > 0;
    }

    private static double Dot(double[] a, double[] b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
}
