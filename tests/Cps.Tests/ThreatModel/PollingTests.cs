using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.CoverTraffic;
using Xunit.Abstractions;

namespace Stir.Encrypted.Cps.Tests.ThreatModel;

/// <summary>
/// TM-05: someone who polls buckets again and again over several blob lifetimes cannot tell real blobs from
/// decoys by how they persist (first and last sighting, observed lifetime, gaps, and what appeared or
/// disappeared in the same poll). Real blobs arrive at random times; the same observer and classifier run
/// against RFC 8816's fresh-dummy-per-retrieval rule and must catch it, so the test is shown able to fail.
/// </summary>
[Trait("Claim", "TM-05")]
public sealed class PollingTests
{
    private const int Buckets = 24;
    private const int PollSeconds = 3;
    private const int Polls = 500;               // 25 minutes, about 50 mean lifetimes
    private const double MeanArrivalSeconds = 90; // per bucket: a busy deployment (≈ 650 000 calls an hour at b = 14)

    /// <summary>
    /// Cross-validated accuracy above 0.5 + this is "distinguishable". With about 800 balanced samples a chance
    /// classifier's accuracy has a standard deviation of 0.018, so 0.07 is about 4 σ.
    /// </summary>
    private const double AccuracyMargin = 0.07;

    private readonly ITestOutputHelper _output;

    public PollingTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task PersistentCover_PollingCannotTellRealBlobsFromDecoys()
    {
        var result = await ObserveAsync(services: null);
        _output.WriteLine(result.ToString());

        Assert.True(result.Reals >= 300, $"too few real blobs observed: {result.Reals}");
        Assert.InRange(result.Accuracy, 0.5 - AccuracyMargin, 0.5 + AccuracyMargin);
    }

    [Fact]
    public async Task FreshDummiesPerRetrieval_PollingTellsRealBlobsFromDecoys()
    {
        var result = await ObserveAsync(services => services.AddSingleton<ICoverBlobFactory, FreshPerRequestCoverFactory>());
        _output.WriteLine(result.ToString());

        Assert.True(result.Accuracy > 0.5 + AccuracyMargin, $"the detector missed fresh dummies: {result.Accuracy:F3}");
    }

    private static async Task<Result> ObserveAsync(Action<IServiceCollection>? services)
    {
        using var factory = new CpsFactory(services: services);
        using var client = factory.CreateClient();
        var random = new Random(8816);
        var epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);
        var start = factory.Time.GetUtcNow();
        var buckets = Enumerable.Range(0, Buckets).Select(i => CpsRequests.Bucket((uint)(i * 613) + 5)).ToArray();

        // Poisson arrivals per bucket, at millisecond times between polls.
        var arrivals = new List<(double At, int Bucket)>();
        for (var b = 0; b < Buckets; b++)
        {
            for (var t = Exponential(random, MeanArrivalSeconds); t < Polls * PollSeconds; t += Exponential(random, MeanArrivalSeconds))
            {
                arrivals.Add((Math.Round(t, 3), b));
            }
        }

        arrivals.Sort();
        using var maker = new RealBlobs(seed: 55);
        var reals = new HashSet<string>();
        var sightings = new List<HashSet<string>>[Buckets];
        for (var b = 0; b < Buckets; b++)
        {
            sightings[b] = [];
        }

        var next = 0;
        for (var poll = 0; poll < Polls; poll++)
        {
            var pollAt = poll * PollSeconds;
            for (; next < arrivals.Count && arrivals[next].At <= pollAt; next++)
            {
                factory.Time.SetUtcNow(start.AddSeconds(arrivals[next].At));
                var blob = maker.Make();
                using var stored = await client.StoreAsync(epoch, buckets[arrivals[next].Bucket], blob);
                Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
                reals.Add(Id(blob));
            }

            factory.Time.SetUtcNow(start.AddSeconds(pollAt));
            for (var b = 0; b < Buckets; b++)
            {
                sightings[b].Add([.. (await client.RetrieveBlobsAsync(epoch, buckets[b])).Select(Id)]);
            }
        }

        return Result.Classify(sightings, reals, random);
    }

    private static double Exponential(Random random, double mean) => -mean * Math.Log(1 - random.NextDouble());

    private static string Id(byte[] blob) => Convert.ToHexString(blob, 0, 40);

    private sealed record Result(int Reals, int Decoys, double Accuracy, double RealMeanPolls, double DecoyMeanPolls)
    {
        public static Result Classify(List<HashSet<string>>[] sightings, HashSet<string> reals, Random random)
        {
            var realFeatures = new List<double[]>();
            var decoyFeatures = new List<double[]>();
            foreach (var polls in sightings)
            {
                var first = new Dictionary<string, int>();
                var last = new Dictionary<string, int>();
                var seen = new Dictionary<string, int>();
                for (var p = 0; p < polls.Count; p++)
                {
                    foreach (var id in polls[p])
                    {
                        first.TryAdd(id, p);
                        last[id] = p;
                        seen[id] = seen.GetValueOrDefault(id) + 1;
                    }
                }

                int Appeared(int p) => p <= 0 || p >= polls.Count ? 0 : polls[p].Count(id => !polls[p - 1].Contains(id));
                int Vanished(int p) => p <= 0 || p >= polls.Count ? 0 : polls[p - 1].Count(id => !polls[p].Contains(id));

                foreach (var (id, f) in first)
                {
                    var l = last[id];
                    if (f == 0 || l == polls.Count - 1)
                    {
                        continue; // censored: its birth or end is outside the observation
                    }

                    double[] features =
                    [
                        l - f + 1,                   // observed lifetime in polls
                        l - f + 1 - seen[id],        // gaps in its presence
                        f / (double)polls.Count,     // when it appeared
                        Appeared(f) - 1,             // others that appeared with it
                        Vanished(f),                 // blobs that vanished when it appeared
                        Appeared(l + 1),             // blobs that appeared when it vanished
                        Vanished(l + 1) - 1,         // others that vanished with it
                    ];
                    (reals.Contains(id) ? realFeatures : decoyFeatures).Add(features);
                }
            }

            // Balanced: as many decoys (drawn with the seeded generator) as real blobs.
            var decoySample = decoyFeatures.OrderBy(_ => random.Next()).Take(realFeatures.Count).ToList();
            var features2 = realFeatures.Concat(decoySample).ToList();
            var labels = realFeatures.Select(_ => true).Concat(decoySample.Select(_ => false)).ToList();
            return new Result(
                realFeatures.Count,
                decoyFeatures.Count,
                LogisticRegression.CrossValidatedAccuracy(features2, labels, seed: 5),
                realFeatures.Count == 0 ? 0 : realFeatures.Average(f => f[0]),
                decoyFeatures.Count == 0 ? 0 : decoyFeatures.Average(f => f[0]));
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"uncensored real blobs {Reals}, decoys {Decoys}; mean polls seen: real {RealMeanPolls:F2}, decoy {DecoyMeanPolls:F2}; classifier accuracy {Accuracy:F4}");
    }
}
