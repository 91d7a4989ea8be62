using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.CoverTraffic;
using Xunit.Abstractions;

namespace Stir.Encrypted.Cps.Tests.ThreatModel;

/// <summary>
/// TM-04: a decoy served by the CPS cannot be told from a real blob by looking at it. Real blobs come from the
/// project's sealer (an X25519 <c>enc</c>, four stanzas, a ChaCha20-Poly1305 body of a padded PASSporT plaintext);
/// decoys come from retrievals of empty buckets. Inside a real blob, the stanzas of holders cannot be told from the
/// unused ones either. The same detector is run against a deliberately broken generator (random
/// bytes) and must catch it, so the test is shown able to fail.
/// </summary>
[Trait("Claim", "TM-04")]
public sealed class DecoyIndistinguishabilityTests
{
    /// <summary>Blobs per side.</summary>
    private const int N = 2000;

    /// <summary>
    /// Held-out accuracy above 0.5 + this is "distinguishable". With 4000 balanced samples the standard
    /// deviation of a chance classifier's accuracy is 0.0079, so 0.03 is about 3.8 σ.
    /// </summary>
    private const double AccuracyMargin = 0.03;

    /// <summary>Chi-square z above this is a byte-frequency difference (p ≈ 3·10⁻⁶ one-sided).</summary>
    private const double ZLimit = 4.5;

    private readonly ITestOutputHelper _output;

    public DecoyIndistinguishabilityTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task ServiceDecoys_AreIndistinguishableFromRealBlobs()
    {
        var report = await AssessAsync(services: null);
        _output.WriteLine(report.ToString());

        Assert.Equal(0, report.DecoyTopBitSet);
        Assert.Equal(0, report.DecoyOffCurve);
        Assert.True(report.LengthsEqual);
        Assert.True(report.HomogeneityZ < ZLimit, $"byte frequencies differ: z = {report.HomogeneityZ:F2}");
        Assert.True(report.DecoyUniformZ < ZLimit, $"decoy bytes are not uniform: z = {report.DecoyUniformZ:F2}");
        // One-sided: a classifier that does worse than chance has learnt nothing usable (cross-validated accuracy on
        // balanced data is biased slightly below 0.5, and the decoys come from the CPS's CSPRNG, so runs differ).
        Assert.True(report.ClassifierAccuracy <= 0.5 + AccuracyMargin, $"a classifier tells decoys from real blobs: accuracy {report.ClassifierAccuracy:F4}");
        Assert.False(report.Distinguishable);
    }

    [Fact]
    public async Task RandomByteDecoys_AreDetectedBySameDetector()
    {
        var report = await AssessAsync(services => services.AddSingleton<ICoverBlobFactory, RandomBytesCoverFactory>());
        _output.WriteLine(report.ToString());

        Assert.True(report.Distinguishable);
        Assert.InRange(report.DecoyTopBitSet, N / 2 * 0.8, N / 2 * 1.2);
        Assert.InRange(report.DecoyOffCurve, N / 2 * 0.8, N / 2 * 1.2);
        Assert.True(report.ClassifierAccuracy > 0.5 + AccuracyMargin, $"the classifier missed random bytes: {report.ClassifierAccuracy:F3}");
    }

    [Fact]
    public void UnusedStanzas_AreIndistinguishableFromUsedOnes()
    {
        // A blob sealed to fewer holders than it has stanzas fills the rest from the CSPRNG (spec §4): nobody without a
        // recipient key can tell how many holders a call has, or which stanza is whose.
        var report = StanzaReport.Of(Stanzas(zeroUnused: false));
        _output.WriteLine(report.ToString());

        Assert.True(report.HomogeneityZ < ZLimit, $"used and unused stanza bytes differ: z = {report.HomogeneityZ:F2}");
        Assert.True(report.UnusedUniformZ < ZLimit, $"unused stanza bytes are not uniform: z = {report.UnusedUniformZ:F2}");
        Assert.True(report.ClassifierAccuracy <= 0.5 + AccuracyMargin, $"a classifier tells used stanzas from unused ones: accuracy {report.ClassifierAccuracy:F4}");
        Assert.False(report.Distinguishable);
    }

    [Fact]
    public void ZeroFilledUnusedStanzas_AreDetectedBySameDetector()
    {
        // The likely bug (an unused stanza left as allocated) must be caught by the detector above.
        var report = StanzaReport.Of(Stanzas(zeroUnused: true));
        _output.WriteLine(report.ToString());

        Assert.True(report.Distinguishable);
        Assert.True(report.ClassifierAccuracy > 0.5 + AccuracyMargin, $"the classifier missed zero-filled stanzas: {report.ClassifierAccuracy:F3}");
    }

    // N used and N unused stanzas of real blobs sealed to 1 to 3 holders; a stanza is "used" when a holder's key
    // opens it (HPKE SetupBaseR with the blob's enc and the call's info, then Open at sequence number 0).
    private static (List<byte[]> Used, List<byte[]> Unused) Stanzas(bool zeroUnused)
    {
        using var maker = new RealBlobs(seed: 405);
        var used = new List<byte[]>();
        var unused = new List<byte[]>();
        while (used.Count < N || unused.Count < N)
        {
            var (blob, index, holders) = maker.MakeCall(holders: 1 + (used.Count % 3));
            var isUsed = new bool[BlobSealer.StanzaCount];
            foreach (var holder in holders)
            {
                Assert.True(BlobSealer.Suite.TrySetupRecipient(holder, blob.AsSpan(0, 32), index.HpkeInfo(), out var context));
                using (context)
                {
                    var opened = Enumerable.Range(0, BlobSealer.StanzaCount).Where(i => context.TryOpen([], Stanza(blob, i), out _)).ToList();
                    isUsed[Assert.Single(opened)] = true;
                }
            }

            for (var i = 0; i < BlobSealer.StanzaCount; i++)
            {
                var stanza = Stanza(blob, i).ToArray();
                if (isUsed[i] && used.Count < N)
                {
                    used.Add(stanza);
                }
                else if (!isUsed[i] && unused.Count < N)
                {
                    unused.Add(zeroUnused ? new byte[BlobSealer.StanzaSize] : stanza);
                }
            }
        }

        return (used, unused);
    }

    private static ReadOnlySpan<byte> Stanza(byte[] blob, int i) => blob.AsSpan(32 + (i * BlobSealer.StanzaSize), BlobSealer.StanzaSize);

    private static async Task<Report> AssessAsync(Action<IServiceCollection>? services)
    {
        using var factory = new CpsFactory(services: services);
        using var client = factory.CreateClient();
        var epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);
        var decoys = new List<byte[]>();
        for (uint bucket = 0; decoys.Count < N; bucket += 97)
        {
            decoys.AddRange(await client.RetrieveBlobsAsync(epoch, CpsRequests.Bucket(bucket)));
            factory.Time.Advance(TimeSpan.FromSeconds(7));
        }

        using var maker = new RealBlobs(seed: 404);
        var reals = Enumerable.Range(0, N).Select(_ => maker.Make()).ToList();
        return Report.Of(reals, decoys[..N]);
    }

    private sealed record StanzaReport(double HomogeneityZ, double UnusedUniformZ, double ClassifierAccuracy)
    {
        public bool Distinguishable => HomogeneityZ >= ZLimit || UnusedUniformZ >= ZLimit || ClassifierAccuracy > 0.5 + AccuracyMargin;

        public static StanzaReport Of((List<byte[]> Used, List<byte[]> Unused) stanzas)
        {
            var usedCounts = ChiSquare.ByteCounts(stanzas.Used, from: 0);
            var unusedCounts = ChiSquare.ByteCounts(stanzas.Unused, from: 0);
            var features = stanzas.Used.Concat(stanzas.Unused).Select(Features).ToList();
            var labels = stanzas.Used.Select(_ => true).Concat(stanzas.Unused.Select(_ => false)).ToList();
            return new StanzaReport(
                ChiSquare.HomogeneityZ(usedCounts, unusedCounts),
                ChiSquare.UniformZ(unusedCounts),
                LogisticRegression.CrossValidatedAccuracy(features, labels, seed: 2026));
        }

        // A 16-bin histogram of the stanza's bytes, its mean, its zero-byte share, and its first and last bytes (where a
        // tag or a length would show).
        private static double[] Features(byte[] stanza)
        {
            var histogram = new double[16];
            foreach (var b in stanza)
            {
                histogram[b >> 4]++;
            }

            return [.. histogram.Select(h => h / stanza.Length), stanza.Average(b => (double)b), stanza.Count(b => b == 0) / (double)stanza.Length, stanza[0], stanza[^1]];
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"stanzas: byte homogeneity z {HomogeneityZ:F2}; unused uniformity z {UnusedUniformZ:F2}; classifier accuracy {ClassifierAccuracy:F4}");
    }

    private sealed record Report(int RealTopBitSet, int DecoyTopBitSet, int RealOffCurve, int DecoyOffCurve, bool LengthsEqual, double HomogeneityZ, double RealUniformZ, double DecoyUniformZ, double ClassifierAccuracy)
    {
        public bool Distinguishable => RealTopBitSet != DecoyTopBitSet || RealOffCurve != DecoyOffCurve || !LengthsEqual
            || HomogeneityZ >= ZLimit || DecoyUniformZ >= ZLimit || ClassifierAccuracy > 0.5 + AccuracyMargin;

        public static Report Of(List<byte[]> reals, List<byte[]> decoys)
        {
            var realCounts = ChiSquare.ByteCounts(reals, from: 32);
            var decoyCounts = ChiSquare.ByteCounts(decoys, from: 32);
            var features = reals.Concat(decoys).Select(Features).ToList();
            var labels = reals.Select(_ => true).Concat(decoys.Select(_ => false)).ToList();
            return new Report(
                reals.Count(b => Curve25519.TopBitSet(b)),
                decoys.Count(b => Curve25519.TopBitSet(b)),
                reals.Count(b => !Curve25519.IsOnCurve(b)),
                decoys.Count(b => !Curve25519.IsOnCurve(b)),
                reals.Concat(decoys).All(b => b.Length == reals[0].Length),
                ChiSquare.HomogeneityZ(realCounts, decoyCounts),
                ChiSquare.UniformZ(realCounts),
                ChiSquare.UniformZ(decoyCounts),
                LogisticRegression.CrossValidatedAccuracy(features, labels, seed: 2025));
        }

        // enc features, then a 16-bin histogram of the ciphertext bytes, its mean and its zero-byte share.
        private static double[] Features(byte[] blob)
        {
            var histogram = new double[16];
            var sum = 0.0;
            var zeros = 0;
            var length = blob.Length - 32;
            foreach (var b in blob.AsSpan(32))
            {
                histogram[b >> 4]++;
                sum += b;
                zeros += b == 0 ? 1 : 0;
            }

            return [Curve25519.TopBitSet(blob) ? 1 : 0, Curve25519.IsOnCurve(blob) ? 1 : 0, blob[31] & 0x7f, blob[0], .. histogram.Select(h => h / length), sum / length, (double)zeros / length];
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"top bit set: real {RealTopBitSet}, decoy {DecoyTopBitSet}; off curve: real {RealOffCurve}, decoy {DecoyOffCurve}; equal lengths {LengthsEqual}; " +
            $"byte homogeneity z {HomogeneityZ:F2}; uniformity z real {RealUniformZ:F2} decoy {DecoyUniformZ:F2}; classifier accuracy {ClassifierAccuracy:F4}");
    }
}
