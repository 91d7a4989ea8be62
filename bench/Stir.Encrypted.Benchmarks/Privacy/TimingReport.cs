using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cli = Stir.Encrypted.Benchmarks.Load.CommandLine;

namespace Stir.Encrypted.Benchmarks.Privacy;

/// <summary>
/// <c>timing-report</c> mode: bench/results/privacy-timing.md from the raw outputs of bench/privacy/timing (the
/// prober's JSON per run, the wrk summaries, the CPS's counters scraped after each part, machine.txt).
/// </summary>
internal static class TimingReport
{
    /// <summary>The target of issue 13: no pair's single-GET AUC further than this from 0.5.</summary>
    private const double Target = 0.55;

    /// <summary>Seconds of the run per block of the block bootstrap, at most; a short run gets at least <see cref="MinBlocks"/> blocks.</summary>
    private const double BlockSeconds = 10;

    private const int MinBlocks = 20;

    private static readonly (string Positive, string Negative, string What)[] Pairs =
    [
        ("live", "fresh", "(a) holds a live real blob vs never stored"),
        ("recent", "fresh", "(b) retrieved shortly before (*recent* after, below) vs cold"),
        ("ended", "fresh", "(c) held a real blob this epoch, ended, vs never stored"),
    ];

    public static int Run(string[] args)
    {
        var raw = Cli.Text(args, "--raw", "bench/results/raw/privacy");
        var output = Cli.Text(args, "--out", "bench/results/privacy-timing.md");
        var machine = File.ReadAllLines(Path.Combine(raw, "machine.txt"))
            .Select(l => l.Split(' ', 2))
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Last().Length > 1 ? g.Last()[1] : "");
        var runs = Directory.GetFiles(raw, "probe-*.json").Order(StringComparer.Ordinal)
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f)["probe-".Length..], Json: JsonNode.Parse(File.ReadAllText(f))!))
            .ToList();
        string M(string key) => machine.GetValueOrDefault(key, "?");

        var md = new StringBuilder();
        md.AppendLine("# Response timing of the CPS against a prober (issue 13)");
        md.AppendLine();
        md.AppendLine("Written by `bench/privacy/timing` (see bench/README.md, \"Privacy: response timing\"); do not edit by hand.");
        md.AppendLine("A prober plays the outsider of issue 13 **black-box against the CPS process over HTTP only**: the service runs as");
        md.AppendLine("operators run it (`dotnet Stir.Encrypted.Cps.dll --urls ... --Cps:DataDirectory=...`, on its embedded LiteDB store or");
        md.AppendLine("with `--Cps:Store=Redis` on a 3-primary Redis cluster on loopback), and the prober times whole HTTP exchanges on one");
        md.AppendLine("kept-alive connection (a raw socket: from just before the request is sent to the last byte of the answer).");
        md.AppendLine();
        md.AppendLine("- **Classes.** *fresh*: a bucket never stored into nor retrieved (the control); *live*: a bucket into which the prober");
        md.AppendLine("  stored one 2048-byte blob (a POST, as a caller does) 0.5–3 s before; *recent*: a bucket retrieved once 1–3 s before,");
        md.AppendLine("  as a verifying callee would have (0.1–0.3 s in the checks: the code before the fix cached the covers of about the last");
        md.AppendLine("  64 buckets retrieved, and at the prober's pace 1–3 s are a few hundred other buckets, which would flush them; a CPS");
        md.AppendLine("  with less traffic keeps them for seconds); *ended*: a bucket that held a real blob earlier this epoch, stored more than the");
        md.AppendLine("  longest lifetime (60 s) before. Every bucket serves one class once. The setups (a store, a first GET) run as jobs in one");
        md.AppendLine("  random order; every measured request runs when due, a random delay after its setup (a *fresh* probe after a GET or a");
        md.AppendLine("  store of another bucket, mirroring *recent* and *ended*), so that no class is likelier than another to follow a store");
        md.AppendLine("  or a burst. One request at a time on one connection, 2 ms after the previous answer; the first requests are a");
        md.AppendLine("  warm-up and not recorded. The CPS's per-client rate limits are raised (`--Cps:RateLimits:*:PermitLimit=1000000`):");
        md.AppendLine("  the prober is one client at one loopback address.");
        md.AppendLine("- **Statistic.** The AUC of the single-GET time, P(T_class > T_fresh) + ½ P(=) (Mann–Whitney), with its 95 % interval");
        md.AppendLine("  by DeLong's method and, because samples taken close together are alike (the machine's state drifts), by a block");
        md.AppendLine($"  bootstrap that resamples {BlockSeconds:F0}-second stretches of the run whole (shorter in a short run, at least {MinBlocks} blocks;");
        md.AppendLine("  1000 replicates; the verdict uses it): 0.5 is");
        md.AppendLine("  chance, and a value below 0.5 separates as well as 1 − AUC (the better direction is what a classifier would use).");
        md.AppendLine("  Each request leaves 2 ms + a uniform 0–1 ms after the previous answer, at a random phase of the CPS's clock.");
        md.AppendLine("  *Median of 9*: for some buckets of the *fresh*, *live* and *ended* classes the first");
        md.AppendLine("  GET is followed at once by 8 more of the same bucket, and the AUC is that of the 9 times' median; for *recent*, whose");
        md.AppendLine("  state a second GET would destroy, it is the median of 9 consecutive probes of 9 buckets of the class.");
        md.AppendLine($"- **Target** (issue 13): with the deadline, every pair's single-GET AUC at most {Target:F2} from the better side (PASS; the");
        md.AppendLine("  verdict notes when the bootstrap interval reaches past it), over at least 2000 probes per class. The runs with the");
        md.AppendLine("  deadline off and of the code before the fix must show the known leaks: a prober that cannot see a leak proves nothing.");
        md.AppendLine();
        md.AppendLine("## Machine and run");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        md.AppendLine($"| Date (UTC) | {M("date")}, {M("seconds")} s |");
        md.AppendLine($"| Commit | {M("commit")} |");
        md.AppendLine($"| Baseline (code before the fix) | {M("baseline")} |");
        md.AppendLine($"| CPU | {M("cpu")} |");
        md.AppendLine($"| Memory | {M("memory")} |");
        md.AppendLine($"| OS | {M("os")} |");
        md.AppendLine($"| .NET SDK, Redis, wrk | {M("dotnet")}, {M("redis")}, {M("wrk")} |");
        md.AppendLine($"| Load average (1, 5, 15 min) | start: {M("load-start")}; end: {M("load-end")}; per run below |");
        md.AppendLine($"| Probes per class | {M("probes")} with the deadline ({M("bursts")} bursts of 9), {M("check-probes")} for the checks ({M("check-bursts")} bursts) |");
        md.AppendLine($"| Default deadline | {M("default-deadline")} ms (`Cps:RetrievalDeadlineMilliseconds`) |");
        foreach (var line in File.ReadAllLines(Path.Combine(raw, "machine.txt")).Where(l => l.StartsWith("rerun", StringComparison.Ordinal)))
        {
            md.AppendLine($"| {(line.StartsWith("rerun-end", StringComparison.Ordinal) ? "Rerun ended" : "Rerun")} | {line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]} |");
        }
        md.AppendLine();
        md.AppendLine("The machine is shared: a load average above its 2 cores means other processes competed for the CPU, which");
        md.AppendLine("blurs every time (it makes leaks harder to see, and makes the deadline overrun more often). The release check is a");
        md.AppendLine("rerun on a quiet machine.");
        md.AppendLine();

        md.AppendLine("## Retrieval timing by class");
        md.AppendLine();
        md.AppendLine("*Window*: the stretch of the run (seconds from its start) in which the class was probed; the fresh control is the");
        md.AppendLine("fresh samples of that stretch, so that drift over the run (other load on the machine, the JIT) cannot pass for a");
        md.AppendLine("difference between classes.");
        md.AppendLine();
        md.AppendLine("| Run | Store | Code | Pair | Window | n (class / fresh) | Single GET: AUC [DeLong 95 % CI] | Block bootstrap 95 % CI | Median of 9: AUC [DeLong 95 % CI] (n) | Median µs (class / fresh) | Verdict |");
        md.AppendLine("|---|---|---|---|--:|--:|--:|--:|--:|--:|---|");
        foreach (var (name, json) in runs)
        {
            var samples = Samples(json["samples"]!);
            var bursts = Bursts(json["bursts"]!);
            var claim = (int)json["deadlineMs"]! > 0;
            foreach (var (positive, negative, what) in Pairs)
            {
                if (samples[positive].Count == 0)
                {
                    continue;
                }

                // The control of the same stretch of the run as the class (the "ended" probes start a lifetime in).
                var (from, to) = (samples[positive].Min(v => v.At), samples[positive].Max(v => v.At));
                var controlSamples = samples[negative].Where(v => v.At >= from && v.At <= to).ToList();
                var control = controlSamples.Select(v => v.Us).ToList();
                var single = RocStatistics.Compute([.. samples[positive].Select(v => v.Us)], control);
                var (bootLow, bootHigh) = RocStatistics.BlockBootstrap(samples[positive], controlSamples, Math.Min(BlockSeconds, (to - from) / MinBlocks), 1000, seed: 13);
                var nine = positive == "recent"
                    ? RocStatistics.Compute(MediansOfConsecutive([.. samples[positive].Select(v => v.Us)]), MediansOfConsecutive(control))
                    : RocStatistics.Compute(
                        [.. bursts[positive].Select(b => RocStatistics.Median(b.Us))],
                        [.. bursts[negative].Where(b => b.At >= from && b.At <= to).Select(b => RocStatistics.Median(b.Us))]);
                var within = Math.Max(Math.Abs(bootLow - 0.5), Math.Abs(bootHigh - 0.5)) <= Target - 0.5;
                var verdict = !claim ? "check: " + (single.Distinguishing.Value > Target ? "leak seen" : nine.Distinguishing.Value > Target ? "leak seen in the median of 9" : "none seen")
                    : single.Distinguishing.Value <= Target ? (within ? "PASS" : "PASS (interval reaches past " + Target.ToString("F2", CultureInfo.InvariantCulture) + ")") : "MISS";
                md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {json["store"]} | {json["code"]} | {what} | {from:F0}–{to:F0} s | {single.Positives} / {single.Negatives} | {Auc(single)} | [{bootLow:F3}, {bootHigh:F3}] | {Auc(nine)} ({nine.Positives} / {nine.Negatives}) | {RocStatistics.Median([.. samples[positive].Select(v => v.Us)]):F0} / {RocStatistics.Median(control):F0} | {verdict} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Store answers: into an empty bucket vs into one holding a live real blob (d)");
        md.AppendLine();
        md.AppendLine("Not covered by the deadline: a store's answer is not held back (spec/protocol.md §8, threat model TM-07). 0.2–1 s after");
        md.AppendLine("each *live* probe, in random order: *occupied*, a second store into that bucket, whose first blob still lives; *empty*,");
        md.AppendLine("a store into a fresh bucket. AUC = P(T_occupied > T_empty).");
        md.AppendLine();
        md.AppendLine("| Run | Store | Code | n (occupied / empty) | AUC [95 % CI] | Median µs (occupied / empty) | p99 µs (occupied / empty) |");
        md.AppendLine("|---|---|---|--:|--:|--:|--:|");
        foreach (var (name, json) in runs)
        {
            var samples = Samples(json["samples"]!);
            var occupied = samples["storeOccupied"].Select(v => v.Us).ToList();
            var empty = samples["storeEmpty"].Select(v => v.Us).ToList();
            var auc = RocStatistics.Compute(occupied, empty);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {json["store"]} | {json["code"]} | {auc.Positives} / {auc.Negatives} | {Auc(auc)} | {RocStatistics.Median(occupied):F0} / {RocStatistics.Median(empty):F0} | {RocStatistics.Percentile(occupied, 99):F0} / {RocStatistics.Percentile(empty, 99):F0} |");
        }

        md.AppendLine();
        md.AppendLine("## The runs");
        md.AppendLine();
        md.AppendLine("| Run | Started (UTC) | Into the epoch | Seconds | Requests | Unexpected answers | Skipped (late) | *recent* after | Load before → after | Retrievals / deadline overruns (counters) |");
        md.AppendLine("|---|---|--:|--:|--:|--:|---|---|---|--:|");
        foreach (var (name, json) in runs)
        {
            var counters = Counters(Path.Combine(raw, $"probe-{name}.metrics"));
            var skipped = string.Join(", ", json["skipped"]!.AsObject().Select(s => $"{s.Key} {s.Value}"));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {json["started"]} | {json["intoEpochSeconds"]} s | {json["seconds"]} | {json["requests"]} | {json["unexpected"]} | {(skipped.Length == 0 ? "none" : skipped)} | {json["recentAfter"]} | {json["loadBefore"]} → {json["loadAfter"]} | {Count(counters, "cps_retrievals_total")} / {Count(counters, "cps_retrieval_deadline_overruns_total")} |");
        }

        md.AppendLine();
        md.AppendLine("## What the fix costs: retrieval throughput");
        md.AppendLine();
        md.AppendLine("wrk, retrieve-only over uniformly drawn 20-bit buckets (`bench/wrk/cps.lua`, as bench/load/run), against the CPS on");
        md.AppendLine($"LiteDB, {M("http-seconds")} s per run after a 2-s warm-up; *CPU per retrieval* = the CPS process's user + system time");
        md.AppendLine("during the run ÷ the retrievals answered (wrk shares the cores; this figure does not count its work). bench/RESULTS.md's");
        md.AppendLine("cold figure for comparison: 1,920 req/s at 64 connections and 959 µs of CPU per retrieval (quiet machine, before the fix,");
        md.AppendLine("2,063–2,376 s into the epoch: a retrieval walks its cover timelines from the epoch's start, so its cost grows through the");
        md.AppendLine(machine.TryGetValue("throughput-into-epoch", out var into)
            ? $"epoch; these runs began {into} s into theirs). Compare the rows of this table with each other."
            : "epoch). Compare the rows of this table with each other.");
        md.AppendLine();
        md.AppendLine("| CPS | Connections | req/s | p50 | p99 | p99.9 | non-2xx | CPU per retrieval | Deadline overruns (of retrievals) |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var (name, label) in new[] { ("fixed", $"this tree, deadline {M("default-deadline")} ms"), ("nodeadline", "this tree, deadline off"), ("baseline", "before the fix") })
        {
            foreach (var c in new[] { 64, 8 })
            {
                var file = Path.Combine(raw, $"wrk-{name}-c{c}.txt");
                if (!File.Exists(file))
                {
                    continue;
                }

                var wrk = Wrk(file);
                var cpu = double.Parse(File.ReadAllText(Path.ChangeExtension(file, ".cpu")).Trim(), CultureInfo.InvariantCulture);
                var before = Counters(Path.ChangeExtension(file, ".before.metrics"));
                var after = Counters(Path.ChangeExtension(file, ".metrics"));
                md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {c} | {wrk.Rps:N1} | {Ms(wrk.P50)} | {Ms(wrk.P99)} | {Ms(wrk.P999)} | {wrk.Non2xx} | {(wrk.Requests > 0 ? cpu / wrk.Requests * 1e6 : double.NaN):F0} µs | {Share(before, after)} |");
            }
        }

        var sweepFiles = Directory.GetFiles(raw, "wrk-sweep-*-half.txt");
        if (sweepFiles.Length > 0)
        {
            md.AppendLine();
            md.AppendLine("## How the deadline was chosen: overruns by deadline and load");
            md.AppendLine();
            md.AppendLine($"A fresh CPS per deadline and store; wrk retrieve-only, first paced at half of the deadline-off peak ({M("half-peak")} req/s aimed,");
            md.AppendLine("32 connections whose waits allow for the deadline: bench/load/run's \"half of the peak\" load), then unpaced at 64 connections (saturation: requests queue");
            md.AppendLine("before the handler, and the handler's own work waits for the CPU). *Overruns* = retrievals whose work outlasted the");
            md.AppendLine("deadline and were answered at once (`cps_retrieval_deadline_overruns_total`), over the retrievals of that part.");
            md.AppendLine();
            md.AppendLine("| Store | Deadline | Half peak: req/s, overruns | Saturation (64 conn.): req/s, overruns |");
            md.AppendLine("|---|--:|---|---|");
            foreach (var half in sweepFiles.OrderBy(f => f, StringComparer.Ordinal).OrderBy(f => int.Parse(Path.GetFileName(f).Split('-')[3], CultureInfo.InvariantCulture)))
            {
                var parts = Path.GetFileName(half).Split('-');
                var (store, deadline) = (parts[2], parts[3]);
                var prefix = Path.Combine(raw, $"wrk-sweep-{store}-{deadline}");
                var warm = Counters(Path.Combine(raw, $"sweep-{store}-{deadline}-warm.metrics"));
                var afterHalf = Counters(prefix + "-half.metrics");
                var afterFull = Counters(prefix + "-c64.metrics");
                md.AppendLine(CultureInfo.InvariantCulture, $"| {store} | {deadline} ms | {Wrk(half).Rps:N0}, {Share(warm, afterHalf)} | {Wrk(prefix + "-c64.txt").Rps:N0}, {Share(afterHalf, afterFull)} |");
            }
        }

        File.WriteAllText(output, md.ToString());
        Console.Error.WriteLine($"timing-report: wrote {output}");
        return 0;
    }

    private static Dictionary<string, List<(double At, double Us)>> Samples(JsonNode node) =>
        node.AsObject().ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(v => ((double)v![0]!, (double)v[1]!)).ToList());

    private static Dictionary<string, List<(double At, double[] Us)>> Bursts(JsonNode node) =>
        node.AsObject().ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(b => ((double)b![0]!, b[1]!.AsArray().Select(v => (double)v!).ToArray())).ToList());

    private static List<double> MediansOfConsecutive(List<double> values) =>
        [.. values.Chunk(9).Where(c => c.Length == 9).Select(c => RocStatistics.Median(c))];

    private static string Auc(RocStatistics.Auc auc) => double.IsNaN(auc.Value)
        ? "—"
        : string.Create(CultureInfo.InvariantCulture, $"{auc.Value:F3} [{auc.Low:F3}, {auc.High:F3}]");

    private static string Ms(long microseconds) => string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1000.0:F2} ms");

    private static Dictionary<string, long> Counters(string file)
    {
        var counters = new Dictionary<string, long>();
        if (!File.Exists(file))
        {
            return counters;
        }

        foreach (var line in File.ReadAllLines(file))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && !line.StartsWith('#') && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var value))
            {
                counters[parts[0]] = value;
            }
        }

        return counters;
    }

    private static string Count(Dictionary<string, long> counters, string name) =>
        counters.TryGetValue(name, out var value) ? value.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static string Share(Dictionary<string, long> before, Dictionary<string, long> after)
    {
        const string retrievals = "cps_retrievals_total", overruns = "cps_retrieval_deadline_overruns_total";
        if (!before.ContainsKey(retrievals) || !after.ContainsKey(retrievals) || !after.ContainsKey(overruns))
        {
            return "n/a";
        }

        var r = after[retrievals] - before[retrievals];
        var o = after.GetValueOrDefault(overruns) - before.GetValueOrDefault(overruns);
        return string.Create(CultureInfo.InvariantCulture, $"{o:N0} of {r:N0} ({(r > 0 ? 100.0 * o / r : 0):F2} %)");
    }

    private static (double Rps, long Requests, long P50, long P99, long P999, long Non2xx) Wrk(string file)
    {
        var line = File.ReadAllLines(file).LastOrDefault(l => l.StartsWith("{\"requests\"", StringComparison.Ordinal));
        if (line is null)
        {
            return (double.NaN, 0, 0, 0, 0, 0);
        }

        var json = JsonNode.Parse(line)!;
        return ((double)json["rps"]!, (long)json["requests"]!, (long)json["p50us"]!, (long)json["p99us"]!, (long)json["p999us"]!, (long)json["non2xx"]!);
    }
}
