using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Stir.Encrypted.Cps.Tests.Storage;
using Stir.Encrypted.Cps.Tests.Support;
using Xunit.Abstractions;

namespace Stir.Encrypted.Cps.Tests.Processes;

/// <summary>
/// A bounded flood of the real CPS process on loopback, started under a memory cap, while a legitimate caller and
/// callee keep working. The service runs with every code default, rate limits included, so the test shows the
/// deployment as configured: the flooder is a small botnet of <see cref="FloodAddresses"/> loopback addresses
/// (127.0.1.x), each over the per-address limits most of the time, so that much of its traffic still gets past
/// the limiter and reaches the store and the cover derivation; the legitimate client is another address
/// (127.0.0.2), within its limits.
/// </summary>
[Collection(CpsProcessCollection.Name)]
public sealed class ProcessFloodTests : IDisposable
{
    /// <summary>
    /// The flood sends at least this many requests, and goes on until the legitimate client has also done
    /// <see cref="LegitimateRoundsDuringFlood"/> rounds while it ran: the claim is about a legitimate client working
    /// *during* a flood, so the flood is as long as that client needs, however fast this machine floods.
    /// </summary>
    private const int FloodRequests = 20_000;

    private const int LegitimateRoundsDuringFlood = 10;

    private const int FloodAddresses = 4;

    private const int ConnectionsPerAddress = 4;

    /// <summary>
    /// The cap: the runtime's GC heap hard limit (<c>DOTNET_GCHeapHardLimit</c>), the memory setting an operator
    /// gives a .NET service in a container. The process's resident memory must stay under it plus
    /// <see cref="RuntimeMarginBytes"/>, the runtime's own memory outside the GC heap (JIT-compiled code, the runtime
    /// and its native libraries, thread stacks, libsodium). 64 MiB is too small: under this flood LiteDB's page cache
    /// grows by 8 MiB segments until an allocation fails (OutOfMemoryException in MemoryCache.Extend), after which the
    /// LiteDB engine closes itself and the store stays unwritable until the process restarts.
    /// </summary>
    private const long HeapCapBytes = 20L * 1024 * 1024;

    private const long RuntimeMarginBytes = 112L * 1024 * 1024;

    /// <summary>
    /// Only a safety stop: a flood still running after this long means the legitimate client could not finish its
    /// rounds (starved), which the assertions then report.
    /// </summary>
    private static readonly TimeSpan FloodLimit = TimeSpan.FromSeconds(120);
    private static readonly IPAddress LegitimateAddress = IPAddress.Parse("127.0.0.2");

    private readonly TemporaryDirectory _directory = new();
    private readonly ITestOutputHelper _output;

    public ProcessFloodTests(ITestOutputHelper output) => _output = output;

    [Fact]
    [Trait("Claim", "TM-36")]
    public async Task BoundedFlood_LeavesALegitimateClientsStoresAndRetrievalsWorking_AndMemoryUnderTheCap()
    {
        var environment = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x" + HeapCapBytes.ToString("X", CultureInfo.InvariantCulture) };
        await using var cps = await CpsProcess.StartAsync(_directory.Path, environment: environment);
        using var legitimateHttp = CpsProcess.CreateHttpClient(LegitimateAddress, maxConnections: 2);
        var legitimate = new CpsClient(legitimateHttp, cps.BaseUrl, new CpsClientOptions { Timeout = TimeSpan.FromSeconds(5) });
        var config = await legitimate.GetConfigurationAsync();
        using var calls = new SealedCalls(config, holders: 2, seed: 7);
        var epoch = calls.CurrentEpoch;
        var warm = calls.Next(epoch); // pays Argon2id for this epoch before the flood
        // The flooded bucket is not one the legitimate client uses (a clash would be a 1-in-16384 coincidence).
        var hot = BlobIndex.FormatBucket((warm.Index.Bucket + 0x2000) % (1u << config.Index.BucketBits), config.Index.BucketBits);
        var idleRss = cps.ResidentBytes();

        using var stop = new CancellationTokenSource();
        var memory = Task.Run(() => SampleMemoryAsync(cps, stop.Token));
        var legitimateFailures = new ConcurrentQueue<string>();
        var legitimateRounds = 0;
        var legitimateWork = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await LegitimateRoundAsync(legitimate, calls, hot, legitimateFailures);
                Interlocked.Increment(ref legitimateRounds);
                await Task.Delay(250, CancellationToken.None); // 4 stores and 4 retrievals a second: within its limits
            }
        });

        var flood = await FloodAsync(cps.BaseUrl, epoch, hot, config.Index.BucketBits, () => Volatile.Read(ref legitimateRounds) >= LegitimateRoundsDuringFlood);
        var roundsDuringFlood = Volatile.Read(ref legitimateRounds);
        await LegitimateRoundAsync(legitimate, calls, hot, legitimateFailures); // and still after the flood
        await stop.CancelAsync();
        await legitimateWork;
        var maxRss = await memory;
        var peakRss = cps.PeakResidentBytes();

        using var probe = new HttpClient();
        using var ready = await probe.GetAsync(new Uri(cps.BaseUrl, "health/ready"));
        var metrics = await probe.GetStringAsync(new Uri(cps.ManagementUrl, "metrics"));
        _output.WriteLine(
            $"flood: {flood.Sent} requests in {flood.Elapsed.TotalSeconds:F1} s from {FloodAddresses} addresses; statuses {string.Join(", ", flood.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; oversized bodies cut off {flood.CutOversized}, other transport errors {flood.TransportErrors}\n" +
            $"legitimate: {roundsDuringFlood} rounds of store + retrieve + open during the flood, {legitimateRounds} in all, {legitimateFailures.Count} failures\n" +
            $"memory: idle {Mib(idleRss)}, sampled max {Mib(maxRss)}, kernel peak (VmHWM) {Mib(peakRss)}; cap {Mib(HeapCapBytes)} heap + {Mib(RuntimeMarginBytes)} runtime margin\n" +
            string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("cps_", StringComparison.Ordinal))));

        var serviceErrors = string.Join('\n', cps.Output.Split('\n').Where(l => l.Contains("Request failed", StringComparison.Ordinal) || l.Contains("unavailable", StringComparison.OrdinalIgnoreCase)).Distinct().Take(10));
        Assert.True(legitimateFailures.IsEmpty, string.Join('\n', legitimateFailures.Take(10)) + "\n" + serviceErrors);
        Assert.False(cps.HasExited, cps.Output);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.InRange(peakRss, 0, HeapCapBytes + RuntimeMarginBytes);
        Assert.InRange(maxRss, 0, HeapCapBytes + RuntimeMarginBytes);

        // The flood was one: it reached both defences and the work behind them, and nothing failed inside the service.
        Assert.True(roundsDuringFlood >= LegitimateRoundsDuringFlood, $"only {roundsDuringFlood} legitimate rounds ran during a flood of {flood.Elapsed.TotalSeconds:F0} s: the legitimate client was starved");
        Assert.Empty(flood.Statuses.Keys.Except([200, 201, 400, 404, 413, 415, 422, 429, 503]));
        Assert.True(Counter(metrics, "cps_rejections_total{type=\"rate-limited\"}") > 0, "no flood request was rate-limited");
        // Each flooder address holds at most the storer cap (4) in the hot bucket, and four of them hold 16 ≥ slots − 1:
        // the cap stops one address from filling a bucket, not four (TM-61).
        Assert.True(Counter(metrics, "cps_rejections_total{type=\"storer-limit\"}") > 0, "no flooder address reached the storer cap");
        Assert.True(Counter(metrics, "cps_rejections_total{type=\"bucket-full\"}") > 0, "the hot bucket never filled");
        Assert.True(Counter(metrics, "cps_rejections_total{type=\"internal\"}") == 0, serviceErrors);
        Assert.Equal(0, Counter(metrics, "cps_rejections_total{type=\"unavailable\"}"));
        Assert.True(Counter(metrics, "cps_retrievals_total") > 1_000, "fewer than 1000 retrievals got past the limiter");
        Assert.Equal(0, flood.TransportErrors);
    }

    public void Dispose() => _directory.Dispose();

    // One call, caller and callee: store its blob, retrieve its bucket, open it. Every step must succeed.
    private static async Task LegitimateRoundAsync(CpsClient client, SealedCalls calls, string hot, ConcurrentQueue<string> failures)
    {
        var call = calls.Next(calls.CurrentEpoch);
        if (call.Index.BucketText == hot)
        {
            return;
        }

        try
        {
            await client.StoreAsync(call.Index, [call.Blob]);
            var blobs = await client.RetrieveAsync(call.Index.Epoch, call.Index.BucketText);
            if (!calls.Open(call.Index, call.Holder, blobs).Any(o => o.Passports.SequenceEqual([call.Passport])))
            {
                failures.Enqueue("a stored blob did not open from its bucket");
            }
        }
        catch (CpsProblemException e)
        {
            failures.Enqueue($"{e.Type} {e.Status}: {e.Detail}");
        }
    }

    /// <summary>
    /// Several connections, each from its own flooder address, send requests back to back until at least
    /// <see cref="FloodRequests"/> have gone and <paramref name="enough"/> says the legitimate client has done its
    /// rounds (or <see cref="FloodLimit"/> has passed): 40 % stores into one hot bucket, 40 % retrievals of random
    /// buckets, 20 % malformed requests of five kinds.
    /// </summary>
    private static async Task<FloodResult> FloodAsync(Uri baseUrl, ulong epoch, string hot, int bucketBits, Func<bool> enough)
    {
        var statuses = new ConcurrentDictionary<int, int>();
        var sent = 0;
        var transportErrors = 0;
        var cutOversized = 0;
        var clock = Stopwatch.StartNew();
        var e = epoch.ToString(CultureInfo.InvariantCulture);
        var blob = RandomNumberGenerator.GetBytes(2048);
        var tooLarge = RandomNumberGenerator.GetBytes(9 * 2048);
        var clients = Enumerable.Range(0, FloodAddresses).Select(a => CpsProcess.CreateHttpClient(IPAddress.Parse($"127.0.1.{a + 1}"), maxConnections: ConnectionsPerAddress, timeout: TimeSpan.FromSeconds(10))).ToArray();
        var workers = Enumerable.Range(0, FloodAddresses * ConnectionsPerAddress).Select(k => Task.Run(async () =>
        {
            var http = clients[k % FloodAddresses];
            var random = new Random(k);
            while (clock.Elapsed < FloodLimit)
            {
                var i = Interlocked.Increment(ref sent);
                if (i > FloodRequests && enough())
                {
                    Interlocked.Decrement(ref sent);
                    return;
                }

                var oversized = i % 10 >= 8 && i / 10 % 5 == 3;
                using var request = (i % 10) switch
                {
                    < 4 => Post($"v1/epochs/{e}/buckets/{hot}?size=2048", blob, "application/octet-stream"),
                    < 8 => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, $"v1/epochs/{e}/buckets/{BlobIndex.FormatBucket((uint)random.Next(1 << bucketBits), bucketBits)}")),
                    _ => (i / 10 % 5) switch
                    {
                        0 => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, $"v1/epochs/{e}/buckets/zzzz")),
                        1 => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, $"v1/epochs/0{e}/buckets/0000")),
                        2 => Post($"v1/epochs/{e}/buckets/{hot}?size=2048", blob, "text/plain"),
                        3 => Post($"v1/epochs/{e}/buckets/{hot}?size=2048", tooLarge, "application/octet-stream"),
                        _ => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "v1/nothing-here")),
                    },
                };
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                    statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                }
                catch (HttpRequestException)
                {
                    // The service refuses an oversized body from its Content-Length without reading it (spec §8), and
                    // closes the connection while the flooder is still sending: HTTP/1.1 without Expect: 100-continue
                    // gives the sender no cleaner way to learn it. Any other request must be answered.
                    if (oversized)
                    {
                        Interlocked.Increment(ref cutOversized);
                    }
                    else
                    {
                        Interlocked.Increment(ref transportErrors);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        foreach (var client in clients)
        {
            client.Dispose();
        }

        return new FloodResult(sent, clock.Elapsed, statuses, transportErrors, cutOversized);

        HttpRequestMessage Post(string path, byte[] body, string contentType)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            return new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, path)) { Content = content };
        }
    }

    // Resident memory every 100 ms while the flood runs; the kernel's own peak (VmHWM) is checked beside it.
    private static async Task<long> SampleMemoryAsync(CpsProcess cps, CancellationToken stop)
    {
        long max = 0;
        while (!stop.IsCancellationRequested && !cps.HasExited)
        {
            max = Math.Max(max, cps.ResidentBytes());
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return max;
    }

    private static long Counter(string metrics, string name)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";

    private sealed record FloodResult(int Sent, TimeSpan Elapsed, IReadOnlyDictionary<int, int> Statuses, int TransportErrors, int CutOversized);
}
