using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Benchmarks.Privacy;

/// <summary>
/// The multi-holder coincidence poller of issue 13 (item 5), black-box against a CPS process over HTTP: it knows the
/// (caller, callee) of each call, derives where the call's blobs go, and polls there every 40 ms around the moment the
/// caller stores, with <see cref="ExtraBuckets"/> other buckets polled alongside for more cover appearances. Each blob
/// that appears in a poll is scored by how many other blobs appeared, within one poll, in the buckets of the same
/// call (for an extra bucket: in that bucket). The AUC of the real blobs' scores against the covers' says whether a
/// coincidence gives a call away. Two sources of calls: <c>library</c>, the library's <see cref="CallPlacer"/> (one
/// blob in one bucket for every key holder), and <c>per-holder</c>, the behaviour before it (one blob per holder in a
/// bucket of its own, stored in parallel), which the poller must catch.
/// </summary>
/// <remarks>
/// <c>coincidence --cps URL --source library|per-holder --calls N --holders H --out FILE.json</c>. The CPS must let one
/// client retrieve ~150 times a second (raise <c>Cps:RateLimits:Retrieve:PermitLimit</c>).
/// </remarks>
internal static class CoincidenceProbe
{
    private const int ExtraBuckets = 4;
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(40);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    public static int Run(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        if (Arg("--cps") is not { } cpsText || !Uri.TryCreate(cpsText, UriKind.Absolute, out var cps) || Arg("--out") is not { } output)
        {
            Console.Error.WriteLine("usage: coincidence --cps URL --source library|per-holder [--calls N] [--holders H] --out FILE.json");
            return 2;
        }

        var source = Arg("--source") ?? "library";
        if (source is not ("library" or "per-holder"))
        {
            Console.Error.WriteLine($"--source is \"{source}\"; expected library or per-holder");
            return 2;
        }

        var calls = int.Parse(Arg("--calls") ?? "100", CultureInfo.InvariantCulture);
        var holders = int.Parse(Arg("--holders") ?? "3", CultureInfo.InvariantCulture);
        var result = RunAsync(cps, source, calls, holders).GetAwaiter().GetResult();
        File.WriteAllText(output, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"coincidence ({source}): {result.RealCoincident} of {result.Calls} calls with a companion; AUC {result.Auc:F3} [{result.AucLow:F3}, {result.AucHigh:F3}] ({result.Reals} real, {result.Covers} cover appearances)");
        return 0;
    }

    private static async Task<Result> RunAsync(Uri cps, string source, int calls, int holders)
    {
        using var capture = new CapturingHandler();
        using var http = new HttpClient(capture) { Timeout = TimeSpan.FromSeconds(10) };
        var client = new CpsClient(http, cps);
        var config = await client.GetConfigurationAsync();
        using var pki = DevelopmentPki.Create();
        var keys = Enumerable.Range(0, holders).Select(_ => HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256)).ToList();
        var realScores = new List<double>();
        var coverScores = new List<double>();
        var coincident = 0;
        var run = RandomNumberGenerator.GetInt32(1_000_000);
        try
        {
            for (var i = 0; i < calls; i++)
            {
                var orig = TelephoneNumber.ParseE164("+1202" + ((run + i) % 10_000_000).ToString("D7", CultureInfo.InvariantCulture));
                var dest = TelephoneNumber.ParseE164("+1303" + (((run * 7) + i) % 10_000_000).ToString("D7", CultureInfo.InvariantCulture));
                var epoch = config.Index.EpochAt(DateTimeOffset.UtcNow);
                string[] callBuckets;
                Func<Task> store;
                if (source == "library")
                {
                    using var signer = pki.IssueEndEntity($"caller-{i}", new TNAuthList([new TNEntry.One(orig)]), TimeSpan.FromDays(1));
                    var placer = new CallPlacer(http, new StaticCallRouter(cps), new SameKeys([.. keys.Select(k => k.PublicKey)]), new CallPlacerOptions
                    {
                        Signer = new PassportSigner(PassportSigningKey.FromECDsa(signer.PrivateKey)),
                        SignerX5u = "https://cert.example.net/caller.pem",
                    });
                    callBuckets = [BlobIndex.Derive(config.Index, orig, dest, epoch).BucketText];
                    store = async () =>
                    {
                        var report = await placer.StoreAsync(orig, dest, null, CancellationToken.None);
                        if (!report.Stored)
                        {
                            throw new InvalidOperationException($"the library did not store: {report.Detail}");
                        }
                    };
                }
                else
                {
                    callBuckets = [.. Enumerable.Range(0, holders).Select(_ => RandomBucket(config))];
                    var blobs = callBuckets.Select(_ => RandomNumberGenerator.GetBytes(config.Classes[0].Size)).ToArray();
                    store = () => Task.WhenAll(callBuckets.Select((b, h) => StoreRawAsync(http, cps, epoch, b, blobs[h])));
                }

                var extra = Enumerable.Range(0, ExtraBuckets).Select(_ => RandomBucket(config)).ToArray();
                capture.Clear();
                var polls = await PollAroundAsync(client, epoch, [.. callBuckets, .. extra], store);
                var real = capture.Posts.Select(p => Convert.ToHexString(SHA256.HashData(p))).ToHashSet();

                // The appearances of each group of buckets: the call's own, and each extra bucket alone.
                var groups = new List<string[]> { callBuckets };
                groups.AddRange(extra.Select(b => new[] { b }));
                var callHadCompanion = false;
                foreach (var group in groups)
                {
                    var appearances = Appearances(polls, group);
                    foreach (var (poll, blob) in appearances)
                    {
                        var score = appearances.Count(a => a.Blob != blob && Math.Abs(a.Poll - poll) <= 1);
                        if (real.Contains(blob))
                        {
                            realScores.Add(score);
                            callHadCompanion |= score > 0;
                        }
                        else
                        {
                            coverScores.Add(score);
                        }
                    }
                }

                coincident += callHadCompanion ? 1 : 0;
            }
        }
        finally
        {
            keys.ForEach(k => k.Dispose());
        }

        var auc = RocStatistics.Compute(realScores, coverScores);
        return new Result(source, calls, holders, (int)PollEvery.TotalMilliseconds, ExtraBuckets, coincident, realScores.Count, coverScores.Count,
            realScores.Count(s => s > 0) / (double)Math.Max(1, realScores.Count), coverScores.Count(s => s > 0) / (double)Math.Max(1, coverScores.Count),
            auc.Value, auc.Low, auc.High);
    }

    private static string RandomBucket(CpsConfiguration config) =>
        BlobIndex.FormatBucket((uint)RandomNumberGenerator.GetInt32(1 << config.Index.BucketBits), config.Index.BucketBits);

    // Polls every 40 ms for the window, storing at a random moment of its first half.
    private static async Task<List<(int Index, string Bucket, string Blob)[]>> PollAroundAsync(CpsClient client, ulong epoch, string[] buckets, Func<Task> store)
    {
        var polls = new List<(int, string, string)[]>();
        var clock = Stopwatch.StartNew();
        var storeAt = TimeSpan.FromMilliseconds(300 + RandomNumberGenerator.GetInt32(700));
        var storing = Task.Run(async () =>
        {
            await Task.Delay(storeAt);
            await store();
        });
        var n = 0;
        while (clock.Elapsed < Window)
        {
            var due = PollEvery * n;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var contents = await Task.WhenAll(buckets.Select(b => client.RetrieveAsync(epoch, b)));
            var index = n;
            polls.Add([.. contents.SelectMany((blobs, k) => blobs.Select(blob => (index, buckets[k], Convert.ToHexString(SHA256.HashData(blob.Span)))))]);
            n++;
        }

        await storing;
        return polls;
    }

    // Blobs of the group's buckets that were not there in the poll before, with the poll they appeared in.
    private static List<(int Poll, string Blob)> Appearances(List<(int Index, string Bucket, string Blob)[]> polls, string[] group)
    {
        var result = new List<(int, string)>();
        for (var p = 1; p < polls.Count; p++)
        {
            var before = polls[p - 1].Where(x => group.Contains(x.Bucket)).Select(x => x.Blob).ToHashSet();
            result.AddRange(polls[p].Where(x => group.Contains(x.Bucket) && !before.Contains(x.Blob)).Select(x => (p, x.Blob)));
        }

        return result;
    }

    private static async Task StoreRawAsync(HttpClient http, Uri cps, ulong epoch, string bucket, byte[] blob)
    {
        using var content = new ByteArrayContent(blob);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PostAsync(new Uri(cps, $"v1/epochs/{epoch}/buckets/{bucket}?size={blob.Length}"), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"a store answered {(int)response.StatusCode}");
        }
    }

    internal sealed record Result(
        string Source, int Calls, int Holders, int PollMilliseconds, int ExtraBuckets, int RealCoincident, int Reals, int Covers,
        double RealWithCompanion, double CoverWithCompanion, double Auc, double AucLow, double AucHigh);

    private sealed class SameKeys(IReadOnlyList<HpkePublicKey> keys) : IKeyHolderSource
    {
        public Task<IReadOnlyList<HpkePublicKey>> GetHolderKeysAsync(TelephoneNumber called, CancellationToken cancellationToken) => Task.FromResult(keys);
    }

    // Every POST body sent (the blobs as the CPS receives them).
    private sealed class CapturingHandler : DelegatingHandler
    {
        private readonly ConcurrentQueue<byte[]> _posts = new();

        public CapturingHandler()
            : base(new SocketsHttpHandler())
        {
        }

        public IReadOnlyList<byte[]> Posts => [.. _posts];

        public void Clear() => _posts.Clear();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.Content is not null)
            {
                _posts.Enqueue(await request.Content.ReadAsByteArrayAsync(cancellationToken));
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
