using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Stir.Encrypted.Cps.Tests.Processes;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Privacy;

/// <summary>
/// The fill oracle of issue 13, played by an outsider against the real CPS process over HTTP only, with every code
/// default: anyone may store anonymously, so an outsider stores into a bucket until refused and reads others'
/// occupancy from how many stores it took. With the storer cap (4 live blobs per storer and bucket, spec §8 "Store")
/// one storer's whole sequence of answers is the same whatever others hold, up to slots − cap − 1 = 11 live blobs
/// (it could see bucket-full only when others hold 12, which §9's sizing essentially never reaches); a coalition of k storers learns only whether others hold at least
/// slots − k·cap, which takes 4 identities to learn "at least one" (TM-61). Loopback addresses 127.0.x.y are distinct
/// clients.
/// </summary>
[Collection(CpsProcessCollection.Name)]
public sealed class FillOracleTests : IClassFixture<CpsProcessFixture>
{
    private const int Slots = 16;
    private const int Cap = 4;

    private readonly CpsProcess _cps;

    public FillOracleTests(CpsProcessFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _cps = fixture.Process;
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task Filler_OneStorerStoringUntilRefused_GetsTheSameAnswersWhateverOthersHold()
    {
        var epoch = await EpochAsync();
        var sequences = new List<List<string>>();
        for (var others = 0; others <= Slots - 1 - Cap; others++)
        {
            var bucket = Bucket(0x1000, others);
            await FillAsync(epoch, bucket, others, identityBase: $"127.0.2.{(others * 3) + 1}");
            using var filler = CpsProcess.CreateHttpClient(IPAddress.Parse($"127.0.1.{others + 1}"));
            var answers = new List<string>();
            while (answers.Count < 20)
            {
                var answer = await StoreAsync(filler, epoch, bucket);
                answers.Add(answer.Text);
                if (answer.Status != HttpStatusCode.Created)
                {
                    break;
                }
            }

            sequences.Add(answers);
        }

        // Exactly identical, not statistically: status, every header but Date, and the body of every answer.
        for (var others = 1; others < sequences.Count; others++)
        {
            Assert.Equal(sequences[0], sequences[others]);
        }

        Assert.Equal(Cap + 1, sequences[0].Count);
        Assert.All(sequences[0].Take(Cap), answer => Assert.StartsWith("201 ", answer, StringComparison.Ordinal));
        Assert.StartsWith("429 ", sequences[0][Cap], StringComparison.Ordinal);
        Assert.Contains("Retry-After: 1\n", sequences[0][Cap], StringComparison.Ordinal);
        Assert.Contains("storer-limit", sequences[0][Cap], StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task Coalition_OfFourStorers_ReadsOthersExactCount_OfThreeOnlyWhetherOthersHoldAtLeastFour()
    {
        // The bound of the threat model: k storers holding up to k·cap blobs see bucket-full only when others hold at
        // least slots − k·cap. With k = 4 that is every count (the shortfall is the count); with k = 3, only counts of
        // 4 and more, so 0, 1 and 3 answer alike.
        var epoch = await EpochAsync();
        var results = new Dictionary<(int K, int Others), List<string>>();
        var cases = new (int K, int Others)[] { (4, 0), (4, 1), (4, 6), (4, 11), (3, 0), (3, 1), (3, 3), (3, 4), (3, 7) };
        for (var c = 0; c < cases.Length; c++)
        {
            var (k, others) = cases[c];
            var bucket = Bucket(0x2000, c);
            await FillAsync(epoch, bucket, others, identityBase: $"127.0.3.{(c * 3) + 1}");
            var coalition = Enumerable.Range(0, k).Select(j => CpsProcess.CreateHttpClient(IPAddress.Parse($"127.0.4.{(c * 4) + j + 1}"))).ToList();
            var answers = new List<string>();
            var refusedInARow = 0;
            for (var i = 0; refusedInARow < k && i < 40; i++)
            {
                var answer = await StoreAsync(coalition[i % k], epoch, bucket);
                answers.Add(answer.Problem ?? "created");
                refusedInARow = answer.Status == HttpStatusCode.Created ? 0 : refusedInARow + 1;
                if (answer.Problem == "bucket-full")
                {
                    Assert.Equal(TimeSpan.FromSeconds(1), answer.RetryAfter);
                    break;
                }
            }

            coalition.ForEach(client => client.Dispose());
            results[(k, others)] = answers;
        }

        foreach (var others in new[] { 0, 1, 6, 11 })
        {
            var answers = results[(4, others)];
            Assert.Equal(Slots - 1 - others, answers.Count(a => a == "created"));
            Assert.Equal("bucket-full", answers[^1]);
        }

        Assert.Equal(results[(3, 0)], results[(3, 1)]);
        Assert.Equal(results[(3, 0)], results[(3, 3)]);
        Assert.Equal([.. Enumerable.Repeat("created", 3 * Cap), "storer-limit", "storer-limit", "storer-limit"], results[(3, 0)]);
        Assert.Equal([.. Enumerable.Repeat("created", (3 * Cap) - 1), "bucket-full"], results[(3, 4)]);
        Assert.Equal([.. Enumerable.Repeat("created", Slots - 1 - 7), "bucket-full"], results[(3, 7)]);
    }

    [Fact]
    [Trait("Claim", "TM-61")]
    public async Task EveryRefusal_WaitsOneSecond_WhateverTheBucketsBlobsStillHaveToLive()
    {
        // Before issue 13, bucket-full's Retry-After was the soonest end of a busy slot: read twice, a few seconds
        // apart, it told how long someone else's real blob still lived. Now every refusal says 1 s.
        var epoch = await EpochAsync();
        var bucket = Bucket(0x3000, 0);
        await FillAsync(epoch, bucket, Slots - 1, identityBase: "127.0.5.1");
        using var outsider = CpsProcess.CreateHttpClient(IPAddress.Parse("127.0.6.1"));
        var waits = new List<TimeSpan?>();
        for (var probe = 0; probe < 3; probe++)
        {
            var answer = await StoreAsync(outsider, epoch, bucket);
            Assert.Equal("bucket-full", answer.Problem);
            waits.Add(answer.RetryAfter);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        using var capped = CpsProcess.CreateHttpClient(IPAddress.Parse("127.0.6.2"));
        var other = Bucket(0x3000, 1);
        for (var i = 0; i < Cap; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await StoreAsync(capped, epoch, other)).Status);
        }

        var limited = await StoreAsync(capped, epoch, other);
        Assert.Equal("storer-limit", limited.Problem);
        waits.Add(limited.RetryAfter);

        Assert.All(waits, wait => Assert.Equal(TimeSpan.FromSeconds(1), wait));
    }

    private static string Bucket(int first, int index) => (first + index).ToString("x4", CultureInfo.InvariantCulture);

    /// <summary>Others (identities from <paramref name="identityBase"/> on, at most the cap each) store <paramref name="count"/> blobs.</summary>
    private async Task FillAsync(ulong epoch, string bucket, int count, string identityBase)
    {
        var address = IPAddress.Parse(identityBase).GetAddressBytes();
        for (var i = 0; i < count; i += Cap)
        {
            var identity = (byte[])address.Clone();
            identity[3] += (byte)(i / Cap);
            using var other = CpsProcess.CreateHttpClient(new IPAddress(identity));
            for (var j = i; j < Math.Min(count, i + Cap); j++)
            {
                var answer = await StoreAsync(other, epoch, bucket);
                Assert.True(answer.Status == HttpStatusCode.Created, answer.Text);
            }
        }
    }

    private async Task<Answer> StoreAsync(HttpClient http, ulong epoch, string bucket)
    {
        using var content = new ByteArrayContent(RandomNumberGenerator.GetBytes(2048));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PostAsync(new Uri(_cps.BaseUrl, $"v1/epochs/{epoch}/buckets/{bucket}?size=2048"), content);
        var body = await response.Content.ReadAsStringAsync();
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key}: {string.Join(", ", h.Value)}\n")
            .Order(StringComparer.Ordinal);
        var problem = response.IsSuccessStatusCode ? null : (await response.ProblemAsync()).ProblemName();
        return new Answer(response.StatusCode, problem, response.Headers.RetryAfter?.Delta, $"{(int)response.StatusCode} {string.Concat(headers)}{body}");
    }

    /// <summary>
    /// The current epoch, away from its end: a test that straddled an epoch boundary would store into an epoch the
    /// service no longer accepts.
    /// </summary>
    private async Task<ulong> EpochAsync()
    {
        using var http = new HttpClient();
        var config = await new CpsClient(http, _cps.BaseUrl).GetConfigurationAsync();
        var now = DateTimeOffset.UtcNow;
        var epochSeconds = config.Index.EpochSeconds;
        var left = epochSeconds - (now.ToUnixTimeSeconds() % epochSeconds);
        if (left < 90)
        {
            await Task.Delay(TimeSpan.FromSeconds(left + config.ClockSkewSeconds + 1));
        }

        return config.Index.EpochAt(DateTimeOffset.UtcNow);
    }

    private sealed record Answer(HttpStatusCode Status, string? Problem, TimeSpan? RetryAfter, string Text);
}
