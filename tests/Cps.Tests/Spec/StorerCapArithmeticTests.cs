using System.Globalization;
using System.Text;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.CoverTraffic;
using Stir.Encrypted.Tests.Spec;

namespace Stir.Encrypted.Cps.Tests.Spec;

/// <summary>
/// spec/protocol.md §9 "The storer cap under load": what the per-storer cap costs honest storers. A storer carrying
/// T_s calls/s (one blob per call, into a uniformly random bucket) has ρ_s = T_s·E[L]/2^b live blobs per bucket on
/// average; with at most c of them, its stores into a bucket form a loss system of c places, refused with Erlang's
/// B(c, ρ_s) whatever the lifetime law. The table is computed from the service's defaults and must equal the
/// document; the formula is checked against a simulation with the service's own lifetime law and cap.
/// </summary>
public sealed class StorerCapArithmeticTests
{
    internal const string Section = "storer-cap";

    internal static readonly int[] StorerRates = [10, 100, 1000];

    [Fact]
    [Trait("Claim", "TM-61")]
    public void Table_IsWhatTheServiceDefaultsGiveNow()
    {
        GeneratedSpecText.AssertSection("protocol.md", Section, Table());
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public void CapRefusal_IsErlangB_OfTheStorersLiveBlobs_ForTheServicesLifetimeLaw()
    {
        // One storer's stores into one bucket: Poisson at rate ρ / E[L], each accepted blob living a lifetime of the
        // service's law, refused when the storer holds the cap.
        var d = PrivacyArithmeticTests.Defaults();
        var cap = new CpsOptions().StorerCap.MaxLiveBlobsPerBucket;
        var law = new LifetimeLaw(RetentionPolicy.Default);
        var random = new Random(20260613);
        foreach (var rho in new[] { 1.0, 2.0, 3.0 })
        {
            var rate = rho / (d.MeanLifetimeSeconds * 1000); // per ms
            var ends = new List<long>();
            long t = 0;
            int arrivals = 0, refused = 0;
            while (arrivals < 200_000)
            {
                t += (long)Math.Ceiling(-Math.Log(1 - random.NextDouble()) / rate);
                ends.RemoveAll(e => e <= t);
                arrivals++;
                if (ends.Count >= cap)
                {
                    refused++;
                    continue;
                }

                ends.Add(t + law.FromUniform((ulong)random.NextInt64() ^ ((ulong)random.Next() << 63)));
            }

            var expected = PrivacyArithmetic.ErlangB(cap, rho);
            var measured = (double)refused / arrivals;
            var sigma = Math.Sqrt(expected * (1 - expected) / arrivals);
            Assert.True(Math.Abs(measured - expected) < (6 * sigma) + 0.001, $"ρ_s = {rho}: measured refusal rate {measured:F4}, Erlang B gives {expected:F4}");
            Assert.True(expected <= PoissonTail(cap, rho), "Erlang B exceeds the uncapped Poisson tail");
        }
    }

    internal static string Table()
    {
        var d = PrivacyArithmeticTests.Defaults();
        var cap = new CpsOptions().StorerCap.MaxLiveBlobsPerBucket;
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"Service defaults: c = {cap} live blobs per storer and bucket, b = {d.BucketBits}, S = {d.Slots}, mean lifetime E[L] = {d.MeanLifetimeSeconds:F2} s; one blob\n");
        s.Append("per call. A store is refused by the cap with probability B(c, ρ_s) (at most P(Poisson(ρ_s) ≥ c), the same tail without\n");
        s.Append("the cap); the last column is what one storer with the cap of the column before learns from `bucket-full`.\n\n");
        s.Append("| T_s (calls/s through one storer) | ρ_s at b = 14 | P(refused by the cap) at b = 14 | smallest b with P ≤ 10⁻⁶ | ρ_s there | smallest c with P ≤ 10⁻⁶ at b = 14 | one storer with that c learns whether others hold ≥ |\n");
        s.Append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var rate in StorerRates)
        {
            var rho = Rho(d, rate, d.BucketBits);
            var bits = Enumerable.Range(1, 32).First(b => PrivacyArithmetic.ErlangB(cap, Rho(d, rate, b)) <= 1e-6);
            var neededCap = Enumerable.Range(1, 256).First(c => PrivacyArithmetic.ErlangB(c, rho) <= 1e-6);
            var learns = d.Slots - neededCap;
            s.Append(CultureInfo.InvariantCulture, $"| {rate} | {Num(rho)} | {Prob(PrivacyArithmetic.ErlangB(cap, rho))} | {bits} | {Num(Rho(d, rate, bits))} | {neededCap} | {(learns <= 1 ? "≥ 1: any real blob" : learns.ToString(CultureInfo.InvariantCulture))} |\n");
        }

        return s.ToString();
    }

    private static double Rho(PrivacyArithmetic d, double callsPerSecond, int bucketBits) => callsPerSecond * d.MeanLifetimeSeconds / Math.Pow(2, bucketBits);

    private static double PoissonTail(int c, double rho)
    {
        double term = Math.Exp(-rho), below = 0;
        for (var i = 0; i < c; i++)
        {
            below += term;
            term *= rho / (i + 1);
        }

        return 1 - below;
    }

    private static string Num(double x) => x >= 1 ? x.ToString("F2", CultureInfo.InvariantCulture) : x.ToString("F4", CultureInfo.InvariantCulture);

    private static string Prob(double p) => p >= 0.001 ? p.ToString("F4", CultureInfo.InvariantCulture) : p.ToString("0.0e+0", CultureInfo.InvariantCulture);
}
