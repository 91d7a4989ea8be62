using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cli = Stir.Encrypted.Benchmarks.Load.CommandLine;

namespace Stir.Encrypted.Benchmarks.Privacy;

#pragma warning disable CA5394 // Random draws the measurement's schedule and buckets (seedable to repeat a run); nothing secret.

/// <summary>
/// <c>timing</c> mode: the timing prober of issue 13, black-box against a running CPS over HTTP only. It plays an
/// outsider who wants to learn from response times what a bucket holds or whether someone fetched it, and records
/// the single-GET times of buckets in these classes (every bucket is used once, in one class):
/// <list type="bullet">
/// <item><c>fresh</c>: never stored into, never retrieved (the control of every pair);</item>
/// <item><c>live</c>: holding a live real blob the prober stored 0.5–3 s before (a POST of one blob, as a caller does);</item>
/// <item><c>recent</c>: never stored into, retrieved once 1–3 s before (as a callee verifying a call would have;
/// <c>--recent-after 0.1:0.3</c> for another window);</item>
/// <item><c>ended</c>: held a real blob earlier this epoch, stored more than the longest lifetime before;</item>
/// <item><c>storeEmpty</c> / <c>storeOccupied</c>: after a <c>live</c> probe, the answer times of a store into a fresh
/// bucket and of a second store into the <c>live</c> bucket (which then holds the first, live, blob).</item>
/// </list>
/// One request at a time on one kept-alive connection, a gap of a few milliseconds after each. The setups (a store,
/// a first GET) run as jobs in one random order; every measured request is a follow-up that runs when due, a random
/// delay after its setup, so that no class is more likely than another to come right after a store or a burst
/// (<c>--ended false</c> leaves the <c>ended</c> class out, whose lifetime-long wait dominates a short run). For
/// <c>--bursts</c> buckets of the <c>fresh</c>, <c>live</c> and <c>ended</c> classes the probe is followed at once by
/// 8 more GETs of the same bucket (the median of 9, a reviewer's aggregate). The first <c>--warmup</c> requests
/// (fresh buckets) are not recorded. Writes every time (µs) as JSON; <c>timing-report</c> turns runs into Markdown.
/// </summary>
internal static partial class TimingProbe
{
    private const int Burst = 9;

    public static int Run(string[] args)
    {
        var cps = new Uri(Cli.Text(args, "--cps", "http://127.0.0.1:18182/"));
        var probes = Cli.Int(args, "--probes", 2000);
        var bursts = Cli.Int(args, "--bursts", 200);
        var gapMs = Cli.Int(args, "--gap-ms", 2);
        var warmup = Cli.Int(args, "--warmup", 300);
        var leftNeeded = Cli.Int(args, "--epoch-seconds-needed", 360);
        var ended = Cli.Text(args, "--ended", "true") == "true";
        var recentAfter = Cli.Text(args, "--recent-after", "1:3").Split(':').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var random = new Random(Cli.Int(args, "--seed", Environment.TickCount));

        using var http = new HttpClient { BaseAddress = cps };
        var config = JsonNode.Parse(http.GetStringAsync(new Uri("v1/config", UriKind.Relative)).GetAwaiter().GetResult())!;
        var epochSeconds = (long)config["epochSeconds"]!;
        var bits = (int)config["index"]!["bucketBits"]!;
        var size = (int)config["classes"]![0]!["size"]!;
        var minSeconds = (int)config["retention"]!["minSeconds"]!;
        var maxSeconds = (int)config["retention"]!["maxSeconds"]!;
        if (bits < 16)
        {
            Console.Error.WriteLine($"timing: the CPS has {bits}-bit buckets; the prober needs at least 16 so that every probe gets a bucket of its own");
            return 2;
        }

        // Inside one epoch: a store's epoch stops being accepted s seconds after its end.
        var nowS = UnixSeconds();
        var left = epochSeconds - (nowS % epochSeconds);
        if (left < leftNeeded)
        {
            Console.Error.WriteLine($"timing: waiting {left} s for the next epoch");
            Thread.Sleep(TimeSpan.FromSeconds(left + 1));
            nowS = UnixSeconds();
        }

        var epoch = nowS / epochSeconds;
        var run = new ProbeRun(cps, epoch, bits, size, gapMs, random);
        var started = DateTimeOffset.FromUnixTimeSeconds(nowS);
        var loadBefore = LoadAverage();

        for (var i = 0; i < warmup; i++)
        {
            run.Get(run.FreshBucket());
            if (i % 6 == 0)
            {
                run.Store(run.FreshBucket());
            }
        }

        // Every sample with the second of the run it was taken at: the report compares a class with the fresh samples
        // of the same stretch of time, so that the machine's drift (other load, the JIT) cannot pass for a difference.
        var samples = new Dictionary<string, List<(double At, double Us)>>
        {
            ["fresh"] = [], ["live"] = [], ["recent"] = [], ["ended"] = [], ["storeEmpty"] = [], ["storeOccupied"] = [],
        };
        var burstSamples = new Dictionary<string, List<(double At, double[] Us)>> { ["fresh"] = [], ["live"] = [], ["ended"] = [] };
        var skipped = new Dictionary<string, int>();

        // Every measured request is a follow-up, run when it comes due (a random delay after its job's setup), so that
        // what runs just before it (a store, a burst, nothing) is the same for every class; the jobs are the unmeasured
        // setups, in one random order. A "fresh" job mirrors a "recent" one (a GET, then a probe --recent-after later) except
        // that it probes another, fresh bucket; with the "ended" class, a third of the fresh jobs mirror an "ended" one
        // instead (a store, then a probe of another, fresh bucket a lifetime later), and those two kinds are placed in
        // the first half, so that their probes come due while the run goes on.
        var late = ended ? probes / 3 : 0;
        var kinds = new List<string>();
        kinds.AddRange(Enumerable.Repeat("recent", probes));
        kinds.AddRange(Enumerable.Repeat("live", probes));
        kinds.AddRange(Enumerable.Repeat("fresh", probes - late));
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kinds));
        var lateKinds = Enumerable.Repeat("ended", ended ? probes : 0).Concat(Enumerable.Repeat("fresh-late", late)).ToList();
        var lateAt = lateKinds.Select(_ => random.Next(0, Math.Max(1, kinds.Count / 2))).Order().ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(lateKinds));
        for (var i = lateAt.Count - 1; i >= 0; i--)
        {
            kinds.Insert(lateAt[i], lateKinds[i]);
        }

        var burstOf = new Dictionary<string, HashSet<int>>
        {
            ["fresh"] = [.. Enumerable.Range(0, probes).OrderBy(_ => random.Next()).Take(bursts)],
            ["live"] = [.. Enumerable.Range(0, probes).OrderBy(_ => random.Next()).Take(bursts)],
            ["ended"] = [.. Enumerable.Range(0, probes).OrderBy(_ => random.Next()).Take(bursts)],
        };

        var counters = new Dictionary<string, int>();
        int Next(string kind) => counters[kind] = counters.GetValueOrDefault(kind) + 1;

        var pending = new PriorityQueue<Action, long>();
        var clock = Stopwatch.StartNew();
        long Now() => clock.ElapsedMilliseconds;
        double At() => Math.Round(clock.Elapsed.TotalSeconds, 3);
        void Later(double seconds, Action action) => pending.Enqueue(action, Now() + (long)(seconds * 1000));
        void Skip(string kind) => skipped[kind] = skipped.GetValueOrDefault(kind) + 1;
        double LateDelay() => maxSeconds + 2 + (10 * random.NextDouble());
        double RecentDelay() => recentAfter[0] + ((recentAfter[1] - recentAfter[0]) * random.NextDouble());

        void Probe(string kind, string bucket)
        {
            var at = At();
            var first = run.Get(bucket);
            samples[kind].Add((at, first));
            if (burstOf[kind].Contains(Next(kind + "-probe") - 1))
            {
                var times = new double[Burst];
                times[0] = first;
                for (var k = 1; k < Burst; k++)
                {
                    times[k] = run.Get(bucket);
                }

                burstSamples[kind].Add((at, times));
            }
        }

        var nextJob = 0;
        while (nextJob < kinds.Count || pending.Count > 0)
        {
            if (pending.TryPeek(out var due, out var dueAt) && dueAt <= Now())
            {
                pending.Dequeue();
                due();
                continue;
            }

            if (nextJob >= kinds.Count)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, dueAt - Now())));
                continue;
            }

            var kind = kinds[nextJob++];
            var bucket = run.FreshBucket();
            switch (kind)
            {
                case "fresh":
                    run.Get(bucket);
                    Later(RecentDelay(), () => Probe("fresh", run.FreshBucket()));
                    break;
                case "fresh-late":
                    run.Store(bucket);
                    Later(LateDelay(), () => Probe("fresh", run.FreshBucket()));
                    break;
                case "recent":
                    run.Get(bucket);
                    Later(RecentDelay(), () => samples["recent"].Add((At(), run.Get(bucket))));
                    break;
                case "live":
                {
                    var storedAt = Now();
                    run.Store(bucket);
                    bool Late() => Now() - storedAt > (minSeconds - 2) * 1000L;
                    Later(0.5 + (2.5 * random.NextDouble()), () =>
                    {
                        // The blob lives at least minSeconds; a probe later than that (the schedule lagging) would
                        // not know what it probes.
                        if (Late())
                        {
                            Skip("live");
                            return;
                        }

                        Probe("live", bucket);

                        // (d): a store into this bucket, which holds the live blob, and one into a fresh bucket.
                        Later(0.2 + (0.8 * random.NextDouble()), () =>
                        {
                            if (Late())
                            {
                                Skip("storeOccupied");
                                return;
                            }

                            samples["storeOccupied"].Add((At(), run.Store(bucket)));
                        });
                        Later(0.2 + (0.8 * random.NextDouble()), () => samples["storeEmpty"].Add((At(), run.Store(run.FreshBucket()))));
                    });
                    break;
                }

                case "ended":
                    run.Store(bucket);
                    Later(LateDelay(), () =>
                    {
                        if (UnixSeconds() / epochSeconds != epoch)
                        {
                            Skip("ended");
                            return;
                        }

                        Probe("ended", bucket);
                    });
                    break;
            }
        }

        var result = new JsonObject
        {
            ["label"] = Cli.Text(args, "--label", cps.ToString()),
            ["store"] = Cli.Text(args, "--store", ""),
            ["deadlineMs"] = Cli.Int(args, "--deadline", -1),
            ["code"] = Cli.Text(args, "--code", ""),
            ["started"] = started.ToString("u", CultureInfo.InvariantCulture),
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            ["intoEpochSeconds"] = nowS % epochSeconds,
            ["loadBefore"] = loadBefore,
            ["loadAfter"] = LoadAverage(),
            ["warmup"] = warmup,
            ["gapMs"] = gapMs,
            ["recentAfter"] = string.Join('–', recentAfter.Select(v => v.ToString(CultureInfo.InvariantCulture))) + " s",
            ["requests"] = run.Requests,
            ["unexpected"] = run.Unexpected,
            ["skipped"] = new JsonObject([.. skipped.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))]),
            // [second of the run, µs] per sample; [second, [9 × µs]] per burst.
            ["samples"] = new JsonObject([.. samples.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)new JsonArray([.. s.Value.Select(v => (JsonNode)new JsonArray(v.At, Math.Round(v.Us, 1)))])))]),
            ["bursts"] = new JsonObject([.. burstSamples.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)new JsonArray([.. s.Value.Select(b => (JsonNode)new JsonArray(b.At, new JsonArray([.. b.Us.Select(v => (JsonNode)Math.Round(v, 1))])))])))]),
        };
        Cli.Write(args, result);
        Console.Error.WriteLine($"timing: {run.Requests} requests in {clock.Elapsed.TotalSeconds:F0} s, {run.Unexpected} unexpected answers; "
            + string.Join(", ", samples.Select(s => $"{s.Key} {s.Value.Count} (median {RocStatistics.Median([.. s.Value.Select(v => v.Us)]):F0} µs)")));
        return run.Unexpected == 0 ? 0 : 1;
    }

    private static long UnixSeconds() => TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Sleeps <paramref name="nanoseconds"/> (below a second) with the kernel's precision (Linux), without spinning.</summary>
    private static void Nap(long nanoseconds)
    {
        if (OperatingSystem.IsLinux())
        {
            var request = new TimeSpec(0, nanoseconds);
            _ = NativeNanosleep(in request, IntPtr.Zero);
        }
        else
        {
            Thread.Sleep(TimeSpan.FromTicks(nanoseconds / 100));
        }
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private readonly record struct TimeSpec(long Seconds, long Nanoseconds);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "nanosleep")]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static partial int NativeNanosleep(in TimeSpec request, IntPtr remaining);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";

    /// <summary>The connection, the buckets handed out so far (each once) and the request counts.</summary>
    private sealed class ProbeRun(Uri cps, long epoch, int bits, int size, int gapMs, Random random)
    {
        private readonly RawHttpConnection _connection = new(cps);
        private readonly HashSet<uint> _used = [];
        private readonly byte[] _blob = RandomNumberGenerator.GetBytes(size);

        public int Requests { get; private set; }

        public int Unexpected { get; private set; }

        public string FreshBucket()
        {
            uint bucket;
            do
            {
                bucket = (uint)random.NextInt64(0, 1L << bits);
            }
            while (!_used.Add(bucket));

            return Stir.Encrypted.Cps.BlobIndex.FormatBucket(bucket, bits);
        }

        public double Get(string bucket) => Send(_connection.Get($"/v1/epochs/{epoch}/buckets/{bucket}"), 200);

        public double Store(string bucket)
        {
            // A blob of the class's size with random bytes: the CPS cannot tell it from a sealed one (TM-04).
            RandomNumberGenerator.Fill(_blob);
            return Send(_connection.Post($"/v1/epochs/{epoch}/buckets/{bucket}?size={size}", _blob), 201);
        }

        private double Send(byte[] request, int expected)
        {
            var (status, _, microseconds) = _connection.Send(request);
            Requests++;
            if (status != expected)
            {
                Unexpected++;
                if (Unexpected <= 5)
                {
                    Console.Error.WriteLine($"timing: answer {status} where {expected} was expected");
                }
            }

            // The gap, then 0–1 ms more at random: requests leave at random phases of the CPS's millisecond clock, as an
            // outsider's would, instead of locking to the previous answer's phase for stretches of the run (which makes
            // neighbouring samples alike and the intervals too narrow).
            Thread.Sleep(gapMs);
            Nap((long)(random.NextDouble() * 1_000_000));
            return microseconds;
        }
    }
}
