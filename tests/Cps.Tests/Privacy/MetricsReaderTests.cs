using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Stir.Encrypted.Cps.Tests.Processes;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Privacy;

/// <summary>
/// The metrics reader of issue 13, against the real CPS process over HTTP only: reading the counters before and after
/// one retrieval used to give the retrieved bucket's exact number of real blobs (served minus decoys). Now the public
/// port does not serve them at all, and even someone who can read the management listener sees the same change for a
/// bucket holding real blobs as for an empty one (TM-21).
/// </summary>
[Collection(CpsProcessCollection.Name)]
public sealed class MetricsReaderTests : IClassFixture<CpsProcessFixture>
{
    private readonly CpsProcess _cps;

    public MetricsReaderTests(CpsProcessFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _cps = fixture.Process;
    }

    [Fact]
    [Trait("Claim", "TM-21")]
    public async Task MetricsReader_BeforeAndAfterOneRetrieval_SeesTheSameDeltas_ForABucketWithRealBlobsAndAnEmptyOne()
    {
        using var http = new HttpClient();
        var config = await new CpsClient(http, _cps.BaseUrl).GetConfigurationAsync();
        var epoch = config.Index.EpochAt(DateTimeOffset.UtcNow);
        const string Full = "2a2a";
        const string Empty = "2a2b";
        // Eight real blobs from two storers (the cap is 4 each); lifetimes are at least 20 s, longer than this test.
        for (var storer = 0; storer < 2; storer++)
        {
            using var client = CpsProcess.CreateHttpClient(IPAddress.Parse($"127.0.7.{storer + 1}"));
            for (var i = 0; i < 4; i++)
            {
                using var content = new ByteArrayContent(RandomNumberGenerator.GetBytes(2048));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                using var stored = await client.PostAsync(new Uri(_cps.BaseUrl, $"v1/epochs/{epoch}/buckets/{Full}?size=2048"), content);
                Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
            }
        }

        // Alternately, so that any drift between reads would show; each delta is over exactly one retrieval.
        var deltas = new List<(string Bucket, Dictionary<string, long> Delta)>();
        foreach (var bucket in new[] { Full, Empty, Full, Empty })
        {
            var before = Counters(await http.GetStringAsync(new Uri(_cps.ManagementUrl, "metrics")));
            using var retrieved = await http.GetAsync(new Uri(_cps.BaseUrl, $"v1/epochs/{epoch}/buckets/{bucket}"));
            Assert.Equal(HttpStatusCode.OK, retrieved.StatusCode);
            var after = Counters(await http.GetStringAsync(new Uri(_cps.ManagementUrl, "metrics")));
            deltas.Add((bucket, after.Keys.Union(before.Keys).ToDictionary(k => k, k => after.GetValueOrDefault(k) - before.GetValueOrDefault(k))));
        }

        var reference = deltas[0].Delta;
        Assert.Equal(1, reference["cps_retrievals_total"]); // the reader does see each retrieval
        foreach (var (bucket, delta) in deltas)
        {
            Assert.Equal(Render(reference), Render(delta));
        }

        // And the public port serves no counter at all.
        using var publicMetrics = await http.GetAsync(new Uri(_cps.BaseUrl, "metrics"));
        Assert.Equal(HttpStatusCode.NotFound, publicMetrics.StatusCode);
        Assert.Equal("not-found", (await publicMetrics.ProblemAsync()).ProblemName());
    }

    private static Dictionary<string, long> Counters(string prometheus) =>
        prometheus.Split('\n')
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => long.Parse(parts[1], CultureInfo.InvariantCulture));

    private static string Render(Dictionary<string, long> delta) =>
        string.Join(", ", delta.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value}"));
}
