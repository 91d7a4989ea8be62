using System.Globalization;
using System.Text;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.CoverTraffic;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.Tests.Spec;

namespace Stir.Encrypted.Cps.Tests.Spec;

/// <summary>
/// spec/protocol.md §9 "Privacy arithmetic": the table is computed here from the service's code defaults and
/// must equal the document; the formulas behind it are checked against a simulation that uses the service's own
/// lifetime law, so a wrong formula (or a changed law) fails, not only a stale table.
/// </summary>
public sealed class PrivacyArithmeticTests
{
    internal const string Section = "privacy-arithmetic";

    /// <summary>Key holders per called number in the table (e.g. the carrier and the phone).</summary>
    internal const int Holders = 2;

    /// <summary>Blobs per call (spec/protocol.md §4): one blob carries up to R stanzas, so ⌈H/R⌉, in one store.</summary>
    internal const int BlobsPerCall = (Holders + BlobSealer.StanzaCount - 1) / BlobSealer.StanzaCount;

    internal static readonly int[] Rates = [10, 100, 1000, 10000];

    [Fact]
    [Trait("Claim", "TM-17")]
    public void Table_IsWhatTheServiceDefaultsGiveNow()
    {
        GeneratedSpecText.AssertSection("protocol.md", Section, Table(Defaults()));
    }

    [Fact]
    [Trait("Claim", "TM-19")]
    public void OverflowProbability_IsErlangB_OfTheLiveRealBlobs_ForTheServicesLifetimeLaw()
    {
        // Poisson arrivals at rate ρ / E[L] into one bucket, each placed (or refused) by the service's own slot engine,
        // SlotEngine.PlanArrivals, over the bucket's state as the store would hand it over, and each accepted blob living
        // a lifetime drawn from the service's law. The refusal rate must be Erlang's B(S − 1, ρ) within 6σ, with no
        // other slack: at these loads an engine that let S real blobs in (no decoy left) refuses about half as many
        // stores, 12σ and more away (checked by moving the cap: ρ = 8 measured 0.0042 against 0.0091), which a load as
        // light as ρ = 4 could not show.
        var d = Defaults();
        var law = new LifetimeLaw(RetentionPolicy.Default);
        var random = new Random(20260127);
        var engine = new SlotEngine(new CoverSchedule(new byte[32], law), law, random.Next);
        var key = new BucketKey(500_000, 2048, 7);
        foreach (var rho in new[] { 8.0, 10.0, 14.0 })
        {
            var rate = rho / (d.MeanLifetimeSeconds * 1000);  // per ms
            var live = new List<StoredBlob>();
            var lastEnded = new Dictionary<int, SlotEvent>(); // the latest ended occupancy of each slot (its cover segment start)
            long t = 0;
            int arrivals = 0, refused = 0;
            while (arrivals < 50_000)
            {
                t += (long)Math.Ceiling(-Math.Log(1 - random.NextDouble()) / rate);
                foreach (var ended in live.Where(b => b.EndUnixMs <= t).ToList())
                {
                    live.Remove(ended);
                    lastEnded[ended.Slot] = ended.Event;
                }

                arrivals++;
                // What the store hands over: the events the engine needs (earlier ones change nothing it computes).
                var state = new BucketState(arrivals, [.. lastEnded.Values, .. live.Select(b => b.Event)], live);
                var plan = engine.PlanArrivals(key, d.Slots, anchorUnixMs: -600_000, state, t, 1);
                if (plan.Full)
                {
                    refused++;
                    continue;
                }

                live.Add(new StoredBlob(plan.Slots[0], t, t + law.FromUniform((ulong)random.NextInt64() ^ ((ulong)random.Next() << 63)), ReadOnlyMemory<byte>.Empty));
            }

            var expected = PrivacyArithmetic.ErlangB(d.Slots - 1, rho);
            var measured = (double)refused / arrivals;
            var sigma = Math.Sqrt(expected * (1 - expected) / arrivals);
            Assert.True(Math.Abs(measured - expected) < 6 * sigma, $"ρ = {rho}: measured refusal rate {measured:F5}, Erlang B gives {expected:F5} (σ = {sigma:F5})");
        }
    }

    [Fact]
    [Trait("Claim", "TM-17")]
    public void MeanLifetime_OfTheServicesLaw_IsTheClosedForm()
    {
        var d = Defaults();
        var law = new LifetimeLaw(RetentionPolicy.Default);
        var random = new Random(7);
        double sum = 0;
        const int N = 400_000;
        for (var i = 0; i < N; i++)
        {
            sum += law.FromUniform((ulong)random.NextInt64() ^ ((ulong)random.Next() << 63));
        }

        Assert.Equal(d.MeanLifetimeSeconds, sum / N / 1000, 0.05);
    }

    [Fact]
    [Trait("Claim", "TM-20")]
    public void EpochsFetched_AveragedOverAnEpoch_AreOnePlusTheBoundaryWindows()
    {
        var d = Defaults();
        var index = new IndexParameters(new byte[32], IndexParameters.DefaultMemoryKiB, IndexParameters.DefaultIterations, d.BucketBits, d.EpochSeconds);
        var start = DateTimeOffset.FromUnixTimeSeconds(500_000L * d.EpochSeconds);
        long fetched = 0;
        var max = 0;
        for (var s = 0; s < d.EpochSeconds; s++)
        {
            var n = index.CandidateEpochs(start.AddSeconds(s), d.MaxSeconds, d.SkewSeconds).Count;
            fetched += n;
            max = Math.Max(max, n);
        }

        Assert.Equal(d.EpochsPerRetrieval, (double)fetched / d.EpochSeconds, 6);
        Assert.Equal(2, max);
    }

    internal static PrivacyArithmetic Defaults()
    {
        var o = new CpsOptions();
        var c = o.EffectiveClasses[0];
        return new PrivacyArithmetic(o.Index.BucketBits, c.Slots, c.Size, o.Retention.MinSeconds, o.Retention.MeanExtraSeconds, o.Retention.MaxSeconds, o.EpochSeconds, o.Limits.ClockSkewSeconds);
    }

    internal static string Table(PrivacyArithmetic d)
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"Service defaults: b = {d.BucketBits} ({d.Buckets} buckets), S = {d.Slots} slots of B = {d.BlobSize} bytes, retention {d.MinSeconds} s + Exp({d.MeanExtraSeconds} s) capped at\n");
        s.Append(CultureInfo.InvariantCulture, $"{d.MaxSeconds} s (mean lifetime E[L] = {d.MeanLifetimeSeconds:F2} s), E = {d.EpochSeconds} s, skew {d.SkewSeconds} s; H = {Holders} key holders per called number,\n");
        s.Append(CultureInfo.InvariantCulture, $"whose call is {BlobsPerCall} blob in one store (⌈H/{BlobSealer.StanzaCount}⌉). A retrieval is S × B = {d.RetrievalBytes} bytes; each holder fetches {d.EpochsPerRetrieval:F4} epochs\n");
        s.Append(CultureInfo.InvariantCulture, $"per call on average, {d.RetrievalBytes * d.EpochsPerRetrieval:F0} bytes.\n\n");
        s.Append("| T (calls/s) | stores/s (T·⌈H/R⌉) | live real blobs | real blobs per bucket ρ | P(bucket holds a real blob) | stores per bucket per epoch | P(store refused, bucket full) | CPS retrieval egress | smallest b with P(full) ≤ 10⁻⁶ |\n");
        s.Append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var t in Rates)
        {
            var stores = (double)t * BlobsPerCall;
            var retrievals = (double)t * Holders;
            var rho = d.RealPerBucket(stores);
            s.Append(CultureInfo.InvariantCulture, $"| {t} | {stores:F0} | {d.LiveReal(stores):F0} | {Num(rho)} | {Prob((1 - Math.Exp(-rho)))} | {Num(d.StoresPerBucketPerEpoch(stores))} | {Prob(PrivacyArithmetic.ErlangB(d.Slots - 1, rho))} | {Rate(retrievals * d.RetrievalBytes * d.EpochsPerRetrieval)} | {d.SmallestBucketBits(stores, 1e-6)} |\n");
        }

        return s.ToString();
    }

    private static string Num(double x) => x >= 100 ? x.ToString("F0", CultureInfo.InvariantCulture) : x >= 1 ? x.ToString("F2", CultureInfo.InvariantCulture) : x.ToString("F4", CultureInfo.InvariantCulture);

    private static string Prob(double p) => p >= 0.9999 ? "≈ 1" : p >= 0.001 ? p.ToString("F4", CultureInfo.InvariantCulture) : p < 1e-30 ? "< 10⁻³⁰" : p.ToString("0.0e+0", CultureInfo.InvariantCulture);

    private static string Rate(double bytesPerSecond) => bytesPerSecond * 8 >= 1e9
        ? (bytesPerSecond * 8 / 1e9).ToString("F1", CultureInfo.InvariantCulture) + " Gbit/s"
        : (bytesPerSecond * 8 / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " Mbit/s";
}

/// <summary>The closed forms of spec/protocol.md §9 "Privacy arithmetic".</summary>
internal sealed record PrivacyArithmetic(int BucketBits, int Slots, int BlobSize, int MinSeconds, int MeanExtraSeconds, int MaxSeconds, int EpochSeconds, int SkewSeconds)
{
    public double Buckets => Math.Pow(2, BucketBits);

    /// <summary>E[L] = m + μ·(1 − e^(−(M − m)/μ)) for L = m + min(Exp(μ), M − m).</summary>
    public double MeanLifetimeSeconds => MinSeconds + (MeanExtraSeconds * (1 - Math.Exp(-(double)(MaxSeconds - MinSeconds) / MeanExtraSeconds)));

    public int RetrievalBytes => Slots * BlobSize;

    /// <summary>1 + (M + s)/E + s/E: the previous epoch while now − E·e &lt; M + s, the next while E·(e + 1) − now ≤ s.</summary>
    public double EpochsPerRetrieval => 1 + ((double)(MaxSeconds + SkewSeconds) / EpochSeconds) + ((double)SkewSeconds / EpochSeconds);

    /// <summary>Little's law: live real blobs = arrival rate × mean lifetime.</summary>
    public double LiveReal(double storesPerSecond) => storesPerSecond * MeanLifetimeSeconds;

    public double RealPerBucket(double storesPerSecond) => LiveReal(storesPerSecond) / Buckets;

    public double StoresPerBucketPerEpoch(double storesPerSecond) => storesPerSecond * EpochSeconds / Buckets;

    public int SmallestBucketBits(double storesPerSecond, double target)
    {
        for (var b = 1; b <= 32; b++)
        {
            if (ErlangB(Slots - 1, LiveReal(storesPerSecond) / Math.Pow(2, b)) <= target)
            {
                return b;
            }
        }

        return 33;
    }

    /// <summary>
    /// Erlang's loss formula B(c, ρ) = (ρ^c / c!) / Σ_{i ≤ c} ρ^i / i!: the probability that an arrival finds all c
    /// servers busy in an M/G/c/c system, whatever the lifetime law (insensitivity); here c = S − 1 real places.
    /// </summary>
    public static double ErlangB(int c, double rho)
    {
        // The stable recurrence B(0) = 1, B(k) = ρ·B(k−1) / (k + ρ·B(k−1)).
        var b = 1.0;
        for (var k = 1; k <= c; k++)
        {
            b = rho * b / (k + (rho * b));
        }

        return b;
    }
}
