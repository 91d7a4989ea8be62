using System.Globalization;
using System.Text;
using System.Text.Json;
using Stir.Encrypted.Benchmarks.Report;

namespace Stir.Encrypted.Benchmarks.Load;

/// <summary>
/// <c>report-load --raw DIR --out DIR</c>: turns what bench/load/run collected into the fragments
/// <c>16-targets-load.md</c> (every target of these parts, PASS or MISS), <c>40-cps-http.md</c>, <c>42-tls.md</c>,
/// <c>45-directory-http.md</c>, <c>50-scale.md</c> and <c>60-e2e.md</c>. A part that was not measured (e.g. the
/// store parts against a store other than LiteDb) says so instead of inventing a number.
/// </summary>
internal static class LoadReport
{
    // Published by TransNexus for its hosted CPS cluster (issue 7, "Against the field").
    private const double FieldPublishPerSecond = 117_790;
    private const double FieldRetrievePerSecond = 121_252;
    private const double OneGiB = 1024.0 * 1024 * 1024;

    public static int Run(string[] args)
    {
        var raw = CommandLine.Text(args, "--raw", "");
        var output = CommandLine.Text(args, "--out", "");
        if (raw.Length == 0 || output.Length == 0)
        {
            throw new ArgumentException("report-load needs --raw DIR and --out DIR");
        }

        var settings = File.ReadLines(Path.Combine(raw, "settings.txt")).Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
        var context = new Context(raw, settings["store"], int.Parse(settings["nodes"], CultureInfo.InvariantCulture), settings["connections"].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(), settings["quick"] == "1");
        var targets = new List<Row>();
        File.WriteAllText(Path.Combine(output, "40-cps-http.md"), Cps(context, targets));
        File.WriteAllText(Path.Combine(output, "42-tls.md"), Tls(context, targets));
        File.WriteAllText(Path.Combine(output, "45-directory-http.md"), DirectoryLookup(context));
        File.WriteAllText(Path.Combine(output, "50-scale.md"), Scale(context, targets));
        File.WriteAllText(Path.Combine(output, "60-e2e.md"), EndToEndSection(context, targets));
        File.WriteAllText(Path.Combine(output, "16-targets-load.md"), Targets(context, targets));
        Console.Error.WriteLine($"report-load: {targets.Count(t => t.Verdict == "PASS")} of {targets.Count(t => t.Verdict != "—")} targets met; fragments in {output}");
        return 0;
    }

    private static string Targets(Context context, List<Row> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("## Targets: CPS and directory over HTTP, TLS, embedded store, scale, end-to-end latency");
        md.AppendLine();
        if (context.Quick)
        {
            md.AppendLine("> **Quick mode** (`BENCH_QUICK=1`): 2-second runs and small fills, a smoke test of the pipeline. These numbers mean nothing.");
            md.AppendLine();
        }

        var loads = File.ReadAllLines(Path.Combine(context.Raw, "load-average.txt"));
        md.AppendLine($"Measured by `bench/load/run` (commands below each section; all of them in `bench/results/raw/load/commands.txt`), store `{context.Store}`, {context.Nodes} CPS node(s). Load average (1, 5, 15 min): {string.Join("; ", loads)}.");
        md.AppendLine("Every HTTP ratio compares two wrk runs of the same script, connections and duration, one right after the other, on this machine:");
        md.AppendLine("wrk, the services and the bare endpoint share its cores, so a ceiling here is the machine's, not the network's.");
        md.AppendLine();
        md.AppendLine("| Part | What | Measured | Target | Result |");
        md.AppendLine("|---|---|--:|:-:|---|");
        foreach (var r in rows)
        {
            md.AppendLine($"| {r.Part} | {r.What} | {r.Measured} | {r.TargetText} | {r.Verdict} |");
        }

        var scored = rows.Where(r => r.Verdict != "—").ToList();
        md.AppendLine();
        md.AppendLine($"{scored.Count(r => r.Verdict == "PASS")} of {scored.Count} targets met.");
        md.AppendLine();
        return md.ToString();
    }

    private static string Cps(Context context, List<Row> targets)
    {
        var raw = context.Raw;
        var md = new StringBuilder();
        md.AppendLine("## CPS over HTTP against bare Kestrel (wrk)");
        md.AppendLine();
        md.AppendLine("The CPS runs as a real process (Release build, `dotnet Stir.Encrypted.Cps.dll`), on its embedded store in a fresh temporary");
        md.AppendLine("directory unless `BENCH_CPS_STORE` says otherwise, with the default size class (2048-byte blobs, 16 slots: a retrieval");
        md.AppendLine("is 32 KiB), 20-bit buckets so that the store-heavy runs do not fill buckets, the default one-hour epochs (a run that would");
        md.AppendLine("straddle an epoch change waits for the next epoch instead), and its per-client rate limits raised (wrk is one client).");
        md.AppendLine("**Bare** is `bench/BareKestrel`: the same routes");
        md.AppendLine("on Kestrel, reading the POSTed body and answering a fixed 32 KiB GET, i.e. the same HTTP work and none of the CPS's.");
        md.AppendLine("Buckets are drawn uniformly (`bench/wrk/cps.lua`); a store is a POST of one 2048-byte blob. *Mix* is 90 % retrievals, 10 %");
        md.AppendLine("stores (every call stores once, one blob for all its key holders, and is retrieved once per holder; the 90/10 split weights retrievals the");
        md.AppendLine("way polling and unanswered lookups do). Rates count 2xx answers only; *non-2xx* should be 0.");
        md.AppendLine();
        var start = Path.Combine(raw, "into-epoch-start.txt");
        var end = Path.Combine(raw, "into-epoch-end.txt");
        if (File.Exists(start) && File.Exists(end))
        {
            md.AppendLine($"These runs began {File.ReadAllText(start).Trim()} s and ended {File.ReadAllText(end).Trim()} s into the CPS's epoch (seconds since its start). A bucket's cover");
            md.AppendLine("timeline is computed from the epoch's start (spec/protocol.md §9 \"Determinism\"), afresh for every request, so a retrieval's and a");
            md.AppendLine("store's slot work grows with the time into the epoch: the same run late in an epoch is slower than early in it.");
            md.AppendLine();
        }

        md.AppendLine("| Mix | Conn. | CPS req/s | p50 | p99 | p99.9 | non-2xx / socket errors | Bare req/s | p50 | p99 | p99.9 | CPS ÷ bare |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        var peaks = new Dictionary<string, (double Cps, double Bare, int Connections)>(StringComparer.Ordinal);
        foreach (var mix in new[] { "retrieve", "store", "mix" })
        {
            foreach (var c in context.Connections)
            {
                var cps = WrkResult.Load(raw, $"cps-{mix}-c{c}");
                var bare = WrkResult.Load(raw, $"bare-{mix}-c{c}");
                if (cps is null || bare is null)
                {
                    continue;
                }

                md.AppendLine($"| {mix} | {c} | {Format.Rate(cps.GoodRps)} | {Ms(cps.P50)} | {Ms(cps.P99)} | {Ms(cps.P999)} | {cps.Non2xx} / {cps.SocketErrors} | {Format.Rate(bare.GoodRps)} | {Ms(bare.P50)} | {Ms(bare.P99)} | {Ms(bare.P999)} | {Format.Ratio(cps.GoodRps / bare.GoodRps)} |");
                if (!peaks.TryGetValue(mix, out var peak) || cps.GoodRps > peak.Cps)
                {
                    peaks[mix] = (cps.GoodRps, Math.Max(bare.GoodRps, peaks.GetValueOrDefault(mix).Bare), c);
                }
                else
                {
                    peaks[mix] = peak with { Bare = Math.Max(peak.Bare, bare.GoodRps) };
                }
            }
        }

        md.AppendLine();
        var hotConnections = context.Connections.Max();
        var hot = WrkResult.Load(raw, $"cps-retrieve-hot-c{hotConnections}");
        var cold = WrkResult.Load(raw, $"cps-retrieve-c{hotConnections}");
        if (hot is not null && cold is not null)
        {
            md.AppendLine($"**Where a retrieval's time goes.** The same retrieve-only run at {hotConnections} connections over only 64 buckets, retrieved");
            md.AppendLine($"again and again: {Format.Rate(hot.GoodRps)} req/s (p99 {Ms(hot.P99)}) against {Format.Rate(cold.GoodRps)} req/s over uniformly drawn buckets.");
            md.AppendLine("Nothing is cached between retrievals (a cache made recently fetched buckets answer faster, which a prober could see:");
            md.AppendLine("spec/protocol.md §8 \"Retrieve\", bench/results/privacy-timing.md), so the two should be alike: every retrieval derives its");
            md.AppendLine("decoys, each cover blob `enc` = X25519(sk, 9) and a ChaCha20-Poly1305 ciphertext of the blob's length (§9 \"Derivations\"),");
            md.AppendLine("16 X25519 base-point multiplications per retrieval, which alone bound it to about 1/16 of the machine's X25519 rate (see");
            md.AppendLine("the `openssl speed` floor above), far below what Kestrel serves: the decoy-padding target is bounded by the cover");
            md.AppendLine("derivation, not by HTTP or the store. Retrieval latencies include the response deadline (`Cps:RetrievalDeadlineMilliseconds`).");
            md.AppendLine();
            md.Append(CoverFloor(raw, cold, hot, hotConnections));
        }

        // Ratios of the peaks, each over the same connection counts.
        if (peaks.TryGetValue("retrieve", out var retrieve))
        {
            var ratio = retrieve.Cps / retrieve.Bare;
            targets.Add(Row.Ratio("CPS", "Decoy-padded retrieval vs. a plain GET of the same 32 KiB (peak ÷ peak)", ratio, Target.Min(0.9)));
        }

        if (peaks.TryGetValue("mix", out var mixPeak))
        {
            var ratio = mixPeak.Cps / mixPeak.Bare;
            targets.Add(context.Store.Equals("LiteDb", StringComparison.OrdinalIgnoreCase)
                ? Row.Info("CPS", "Store + retrieve (90/10) vs. bare Kestrel, peak ÷ peak (the ≥ 0.50 target is for Redis/Valkey)", Format.Ratio(ratio))
                : Row.Ratio("CPS", $"Store + retrieve (90/10) vs. bare Kestrel, peak ÷ peak ({context.Store}, {context.Nodes} node(s))", ratio, Target.Min(0.5)));
        }

        // p99 at half of the peak rate.
        var halfFile = Path.Combine(raw, "half-peak.txt");
        if (File.Exists(halfFile))
        {
            md.AppendLine("**At half of the peak rate.** wrk is closed-loop and Debian 12 has no wrk2, so the rate is fixed by pacing: 8 connections,");
            md.AppendLine("each waiting 8/R seconds between requests (wrk's `delay()` hook, `rate=` in `bench/wrk/common.lua`), send about R requests/s as");
            md.AppendLine("long as answers take well under 8/R s. wrk's latency excludes that wait. The bare endpoint gets the same R. The *mix, 70 %*");
            md.AppendLine("row paces the mix at 70 % of its peak: the Redis/Valkey target compares its p99 with bare Kestrel's at that rate.");
            md.AppendLine();
            md.AppendLine("| Mix | CPS peak req/s | Aimed at | CPS achieved | p50 | p99 | p99.9 | Bare achieved | p50 | p99 | p99.9 |");
            md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var line in File.ReadLines(halfFile))
            {
                var p = line.Split(' ');
                var cps = WrkResult.Load(raw, $"cps-{p[0]}-half");
                var bare = WrkResult.Load(raw, $"bare-{p[0]}-half");
                if (cps is null || bare is null)
                {
                    continue;
                }

                md.AppendLine($"| {p[0]} | {p[1]} | {p[2]} | {Format.Rate(cps.GoodRps)} | {Ms(cps.P50)} | {Ms(cps.P99)} | {Ms(cps.P999)} | {Format.Rate(bare.GoodRps)} | {Ms(bare.P50)} | {Ms(bare.P99)} | {Ms(bare.P999)} |");
                targets.Add(Row.Value("CPS", $"p99 at half of the peak rate, {p[0]} ({p[2]} req/s aimed, {Format.Rate(cps.GoodRps)} achieved)", cps.P99 / 1000, "ms", Target.Max(5)));
            }

            var p70File = Path.Combine(raw, "p70-peak.txt");
            var cps70 = WrkResult.Load(raw, "cps-mix-p70");
            var bare70 = WrkResult.Load(raw, "bare-mix-p70");
            if (File.Exists(p70File) && cps70 is not null && bare70 is not null)
            {
                var p = File.ReadAllText(p70File).Trim().Split(' ');
                md.AppendLine($"| mix, 70 % | {p[1]} | {p[2]} | {Format.Rate(cps70.GoodRps)} | {Ms(cps70.P50)} | {Ms(cps70.P99)} | {Ms(cps70.P999)} | {Format.Rate(bare70.GoodRps)} | {Ms(bare70.P50)} | {Ms(bare70.P99)} | {Ms(bare70.P999)} |");
                var what = $"p99 at 70 % of the peak rate, mix, vs. bare Kestrel's p99 at the same rate ({p[2]} req/s aimed; {Ms(cps70.P99)} vs. {Ms(bare70.P99)})";
                targets.Add(context.Store.Equals("LiteDb", StringComparison.OrdinalIgnoreCase)
                    ? Row.Info("CPS", what + " (the ≤ 2 target is for Redis/Valkey)", Format.Ratio(cps70.P99 / bare70.P99))
                    : Row.Ratio("CPS", $"{what}, {context.Store}, {context.Nodes} node(s)", cps70.P99 / bare70.P99, Target.Max(2)));
            }

            md.AppendLine();
        }

        // The embedded store: group commit, auto-commit, raw LiteDB.
        var group = WrkResult.Load(raw, "group-commit");
        var auto = WrkResult.Load(raw, "auto-commit");
        var litedbFile = Path.Combine(raw, "litedb.json");
        if (group is not null && auto is not null && File.Exists(litedbFile))
        {
            using var litedb = JsonDocument.Parse(File.ReadAllBytes(litedbFile));
            var rawRates = litedb.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("batch").GetInt32(), e => e.GetProperty("storesPerSecond").GetDouble());
            var rawAuto = rawRates[1];
            var rawGroup = rawRates.Where(r => r.Key > 1).Select(r => r.Value).Single();
            var connections = File.ReadAllText(Path.Combine(raw, "group-connections.txt")).Trim();
            md.AppendLine("**The embedded store.** Store-only wrk at " + connections + " connections against a fresh CPS with group commit (the default: concurrent stores");
            md.AppendLine("share a LiteDB transaction and one fsync, up to 100, each acknowledged only after that commit) and against one with");
            md.AppendLine("`--Cps:LiteDb:MaxBatchSize=1` (a transaction and an fsync per store). **Raw LiteDB** (`litedb` mode of the harness) does");
            md.AppendLine("only the database work of a store (lookup of the bucket by `_id`, upsert of the same bucket document, same engine settings,");
            md.AppendLine("log fsynced per commit) in one thread, with nothing else: no HTTP, no slot engine, no at-rest encryption.");
            md.AppendLine();
            md.AppendLine("| | stores/s | p99 |");
            md.AppendLine("|---|--:|--:|");
            md.AppendLine($"| CPS, group commit | {Format.Rate(group.GoodRps)} | {Ms(group.P99)} |");
            md.AppendLine($"| CPS, auto-commit | {Format.Rate(auto.GoodRps)} | {Ms(auto.P99)} |");
            md.AppendLine($"| raw LiteDB, 100 per transaction | {Format.Rate(rawGroup)} | — |");
            md.AppendLine($"| raw LiteDB, auto-commit | {Format.Rate(rawAuto)} | — |");
            md.AppendLine();
            targets.Add(Row.Ratio("store", "CPS store rate (group commit) vs. raw LiteDB lookup + upsert, 100 per transaction", group.GoodRps / rawGroup, Target.Min(0.7)));
            targets.Add(Row.Ratio("store", "CPS group commit vs. CPS auto-commit, store-only", group.GoodRps / auto.GoodRps, Target.Min(2.5)));
            targets.Add(Row.Info("store", "raw LiteDB, 100 per transaction vs. auto-commit", Format.Ratio(rawGroup / rawAuto)));
        }
        else
        {
            md.AppendLine($"The embedded-store comparisons (group commit, raw LiteDB) run only with `BENCH_CPS_STORE=LiteDb`; this run used `{context.Store}`.");
            md.AppendLine();
        }

        if (peaks.TryGetValue("store", out var storePeak) && retrieve.Cps > 0)
        {
            md.AppendLine("**Against the field.** TransNexus publishes 117,790 publish/s and 121,252 retrieve/s for its hosted CPS cluster. This machine");
            md.AppendLine($"(one CPS process{(context.Nodes > 1 ? $" × {context.Nodes}" : "")}, sharing its cores with wrk) peaked at {Format.Rate(storePeak.Cps)} stores/s and {Format.Rate(retrieve.Cps)} retrievals/s, so those rates would");
            md.AppendLine($"take about {Format.N(Math.Ceiling(FieldPublishPerSecond / storePeak.Cps), "#,0")} such machines for publishing and {Format.N(Math.Ceiling(FieldRetrievePerSecond / retrieve.Cps), "#,0")} for retrieval if the store scaled out");
            md.AppendLine("linearly (the embedded store does not: it is one process's; the Redis store is the scale-out path). Their figures count");
            md.AppendLine("plain PASSporT storage; every retrieval here also derives and serves 16 padded blobs.");
            md.AppendLine();
            targets.Add(Row.Info("field", "Machines like this one for TransNexus's 117,790 publish/s and 121,252 retrieve/s", $"{Format.N(Math.Ceiling(FieldPublishPerSecond / storePeak.Cps), "#,0")} / {Format.N(Math.Ceiling(FieldRetrievePerSecond / retrieve.Cps), "#,0")}"));
        }

        return md.ToString();
    }

    private static string Tls(Context context, List<Row> targets)
    {
        var raw = context.Raw;
        var md = new StringBuilder();
        md.AppendLine("## TLS: HTTPS with keep-alive against plain HTTP (wrk)");
        md.AppendLine();
        var connectionsFile = Path.Combine(raw, "tls-connections.txt");
        if (!File.Exists(connectionsFile))
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return md.ToString();
        }

        var connections = File.ReadAllText(connectionsFile).Trim();
        md.AppendLine($"One CPS process (a fresh store, the settings of the runs above) and the bare endpoint each listen on plain HTTP and on HTTPS");
        md.AppendLine("(Kestrel, a throwaway self-signed P-256 certificate made by `openssl req -x509` in the run's temporary directory, TLS 1.3 as");
        md.AppendLine($"negotiated by OpenSSL and .NET). For each workload wrk runs the same script with the same {connections} connections and duration over");
        md.AppendLine("`http://` and then, right after, over `https://`. wrk (Debian's, built with OpenSSL) speaks HTTP/1.1 and keeps each connection");
        md.AppendLine("open for the whole run over HTTPS as over HTTP: the handshakes happen once per connection at the start, so the ratio is the cost");
        md.AppendLine("of encrypting and decrypting the traffic, which is what a client that reuses its connections pays (the library's client does:");
        md.AppendLine("tests/Cps.Tests/Transport/ConnectionReuseTests.cs checks that many calls over HTTPS use one connection).");
        md.AppendLine();
        md.AppendLine("| Workload | HTTP req/s | p50 | p99 | HTTPS req/s | p50 | p99 | HTTPS ÷ HTTP | non-2xx / socket errors (HTTPS) |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        var workloads = new (string Name, string Label, bool Target)[]
        {
            ("cps-retrieve", "CPS retrieve (decoy-padded 32 KiB GET, uniform buckets)", true),
            ("cps-store", "CPS store (POST of one 2048-byte blob)", true),
            ("bare-get", "Bare GET of 32 KiB", false),
        };
        foreach (var (name, label, isTarget) in workloads)
        {
            var http = WrkResult.Load(raw, $"tls-{name}-http");
            var https = WrkResult.Load(raw, $"tls-{name}-https");
            if (http is null || https is null)
            {
                continue;
            }

            var ratio = https.GoodRps / http.GoodRps;
            md.AppendLine($"| {label} | {Format.Rate(http.GoodRps)} | {Ms(http.P50)} | {Ms(http.P99)} | {Format.Rate(https.GoodRps)} | {Ms(https.P50)} | {Ms(https.P99)} | {Format.Ratio(ratio)} | {https.Non2xx} / {https.SocketErrors} |");
            targets.Add(isTarget
                ? Row.Ratio("TLS", $"{label}: HTTPS with keep-alive vs. plain HTTP, {connections} connections", ratio, Target.Min(0.85))
                : Row.Info("TLS", $"{label}: HTTPS vs. HTTP (TLS's own cost; no target)", Format.Ratio(ratio)));
        }

        md.AppendLine();
        md.AppendLine("The target (HTTPS ≥ 0.85 × HTTP) is applied to the two CPS workloads. A CPS retrieval on a cold bucket is bound by the CPU of");
        md.AppendLine("its cover derivation (up to 16 X25519 multiplications, see the CPS section), so TLS is a small share of its cost there; the");
        md.AppendLine("bare endpoint, which does no work but the I/O, shows TLS's own cost on 32 KiB answers. wrk, the servers and TLS on both ends");
        md.AppendLine("share this machine's cores, so a ratio here also counts the client's side of the encryption.");
        md.AppendLine();
        return md.ToString();
    }

    private static string DirectoryLookup(Context context)
    {
        var md = new StringBuilder();
        md.AppendLine("## Directory bucketed lookup over HTTP against bare Kestrel (wrk)");
        md.AppendLine();
        md.AppendLine("`GET /v1/buckets/{bucket}` of uniformly drawn 12-bit buckets (`bench/wrk/directory.lua`) from the directory process (Release, its");
        md.AppendLine("LiteDB store in a temporary directory, a throwaway trust anchor) against the bare endpoint answering the same 65,536 bytes.");
        md.AppendLine("The directory is empty: every bucket answers the same padded size whatever it holds (that is the point of the padding),");
        md.AppendLine("so the work measured is the lookup, the padding and the I/O; a populated bucket adds the serialisation of its records.");
        md.AppendLine("No target in the issue: the ratio shows how close the lookup stays to the I/O it cannot avoid.");
        md.AppendLine();
        md.AppendLine("| Conn. | Directory req/s | p50 | p99 | p99.9 | non-2xx / socket errors | Bare req/s | p50 | p99 | p99.9 | Directory ÷ bare |");
        md.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var c in context.Connections)
        {
            var dir = WrkResult.Load(context.Raw, $"dir-c{c}");
            var bare = WrkResult.Load(context.Raw, $"dirbare-c{c}");
            if (dir is null || bare is null)
            {
                continue;
            }

            md.AppendLine($"| {c} | {Format.Rate(dir.GoodRps)} | {Ms(dir.P50)} | {Ms(dir.P99)} | {Ms(dir.P999)} | {dir.Non2xx} / {dir.SocketErrors} | {Format.Rate(bare.GoodRps)} | {Ms(bare.P50)} | {Ms(bare.P99)} | {Ms(bare.P999)} | {Format.Ratio(dir.GoodRps / bare.GoodRps)} |");
        }

        md.AppendLine();
        return md.ToString();
    }

    private static string Scale(Context context, List<Row> targets)
    {
        var raw = context.Raw;
        var md = new StringBuilder();
        md.AppendLine("## Scale: live blobs, memory, storage, expiry");
        md.AppendLine();
        var levels = Directory.GetFiles(raw, "scale-*-fill.json")
            .Select(f => int.Parse(Path.GetFileName(f).Split('-')[1], CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        if (levels.Count == 0)
        {
            md.AppendLine($"Not measured: the scale part runs with the embedded store only (`BENCH_CPS_STORE=LiteDb`); this run used `{context.Store}`.");
            md.AppendLine();
            return md.ToString();
        }

        md.AppendLine("The store is filled **directly in-process** (`store-fill` mode: `IBlobStore.TryAppendAsync`, the call the store endpoint makes");
        md.AppendLine("after its checks, so the same group commit, at-rest encryption and fsync), 7 blobs of 2048 bytes per fresh bucket, 64");
        md.AppendLine("appends in flight, each blob live for 30 minutes; filling through HTTP at the store rate above would not reach 1M in minutes.");
        md.AppendLine("Then the real CPS process is started on the filled directory: *ready after* includes its scan of every bucket at open;");
        md.AppendLine("*RSS* is its resident memory (VmRSS) right after that, and after the retrieval runs. The fill is bounded in time");
        md.AppendLine("(`BENCH_SCALE_SECONDS`); where it stopped short of its level the table says so and the 1M line is extrapolated.");
        md.AppendLine();
        md.AppendLine("| Level | Live blobs | Fill rate (blobs/s) | Data directory | CPS ready after | CPS RSS at open | after retrievals | peak |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|");
        var points = new List<(double Blobs, double Rss, double Bytes)>();
        foreach (var level in levels)
        {
            using var fill = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(raw, $"scale-{level}-fill.json")));
            var f = fill.RootElement;
            var cps = File.ReadLines(Path.Combine(raw, $"scale-{level}-cps.txt")).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
            var live = f.GetProperty("liveBlobs").GetDouble();
            var reached = f.GetProperty("reachedTarget").GetBoolean();
            points.Add((live, cps["rssServed"], cps["dataBytes"]));
            md.AppendLine($"| {Format.N(level, "#,0")}{(reached ? "" : " (time bound hit)")} | {Format.N(live, "#,0")} | {Format.Rate(f.GetProperty("blobsPerSecond").GetDouble())} | {MiB(cps["dataBytes"])} | {Format.N(cps["readyMs"] / 1000, "0.0")} s | {MiB(cps["rssOpen"])} | {MiB(cps["rssServed"])} | {MiB(cps["rssPeak"])} |");
        }

        md.AppendLine();
        var last = points[^1];
        string memoryText;
        double memoryAtMillion;
        if (last.Blobs >= 1_000_000)
        {
            memoryAtMillion = last.Rss;
            memoryText = $"{MiB(last.Rss)} at {Format.N(last.Blobs, "#,0")} live blobs (measured)";
        }
        else if (points.Count >= 2 && last.Blobs > points[0].Blobs)
        {
            var slope = (last.Rss - points[0].Rss) / (last.Blobs - points[0].Blobs);
            memoryAtMillion = last.Rss + (slope * (1_000_000 - last.Blobs));
            var bytesSlope = (last.Bytes - points[0].Bytes) / (last.Blobs - points[0].Blobs);
            memoryText = $"**extrapolated** {MiB(memoryAtMillion)} at 1M (linear through the two measured levels; storage likewise {MiB(last.Bytes + (bytesSlope * (1_000_000 - last.Blobs)))})";
        }
        else
        {
            memoryAtMillion = double.NaN;
            memoryText = "not enough levels measured to extrapolate";
        }

        md.AppendLine($"Memory of the CPS process for 1M live blobs: {memoryText}.");
        md.AppendLine();
        // Only a measurement scores: a line through two small fills (quick mode) can even point below zero,
        // since the runtime's own footprint dominates there.
        targets.Add(last.Blobs >= 1_000_000
            ? Row.Value("scale", "CPS process memory at 1M live blobs", memoryAtMillion / OneGiB, "GiB", Target.Max(2))
            : Row.Info("scale", "CPS process memory at 1M live blobs: not measured (the fill stopped short; see the scale section)", double.IsNaN(memoryAtMillion) || memoryAtMillion <= 0 ? "—" : $"{Format.N(memoryAtMillion / OneGiB, "0.00")} GiB extrapolated"));

        md.AppendLine("**Retrieval latency as buckets fill**, from the CPS process serving the largest fill: wrk, 8 connections, retrieve-only over");
        md.AppendLine("1024 buckets holding 0, 8 (50 %) or 14 (88 %) real blobs of their 16 slots (filled by `store-fill` at its first level).");
        md.AppendLine("A fuller bucket has fewer slots to fill with derived decoys (see the CPS section), so it can answer faster than an empty one;");
        md.AppendLine("the bytes served are the same.");
        md.AppendLine();
        md.AppendLine("| Live blobs in store | Bucket fill | req/s | p50 | p99 | p99.9 |");
        md.AppendLine("|--:|--:|--:|--:|--:|--:|");
        foreach (var level in levels)
        {
            foreach (var fillLevel in new[] { 0, 50, 88 })
            {
                var r = WrkResult.Load(raw, $"scale-{level}-fill{fillLevel}");
                if (r is not null)
                {
                    md.AppendLine($"| {Format.N(points[levels.IndexOf(level)].Blobs, "#,0")} | {fillLevel} % | {Format.Rate(r.GoodRps)} | {Ms(r.P50)} | {Ms(r.P99)} | {Ms(r.P999)} |");
                }
            }
        }

        md.AppendLine();
        var expiryFile = Path.Combine(raw, "expiry.json");
        if (File.Exists(expiryFile))
        {
            using var expiry = JsonDocument.Parse(File.ReadAllBytes(expiryFile));
            var e = expiry.RootElement;
            var full = e.GetProperty("bytesFull").GetDouble();
            var afterEpoch = e.GetProperty("bytesAfterEpochDropped").GetDouble();
            md.AppendLine($"**Expiry** (`store-expiry` mode, a fresh store on a manual clock): {Format.N(e.GetProperty("blobs").GetDouble(), "#,0")} blobs with 60-second lifetimes, then the clock");
            md.AppendLine($"moved past their end and one sweep timed: **{Format.Rate(e.GetProperty("blobsDeletedPerSecond").GetDouble())} blobs deleted/s** ({Format.N(e.GetProperty("sweepSeconds").GetDouble(), "0.00")} s). Storage: {MiB(full)} full,");
            md.AppendLine($"{MiB(e.GetProperty("bytesAfterBlobExpiry").GetDouble())} once the blobs' bytes are gone (LiteDB keeps its file's pages), {MiB(afterEpoch)} once the epoch's retention has passed and");
            md.AppendLine($"the store deleted the epoch's files ({Format.N(e.GetProperty("epochDropSeconds").GetDouble(), "0.00")} s): storage is bounded by the epochs still live, not by history.");
            md.AppendLine();
            targets.Add(Row.Info("scale", "Expiry throughput (blobs deleted/s in one sweep)", Format.Rate(e.GetProperty("blobsDeletedPerSecond").GetDouble())));
            targets.Add(new Row("scale", "Storage after the epoch's retention, of the full size", $"{MiB(afterEpoch)} of {MiB(full)}", "epoch files deleted", afterEpoch < full / 100 ? "PASS" : "MISS: the epoch's files remain"));
        }

        return md.ToString();
    }

    private static string EndToEndSection(Context context, List<Row> targets)
    {
        var md = new StringBuilder();
        md.AppendLine("## End-to-end call latency on loopback");
        md.AppendLine();
        var file = Path.Combine(context.Raw, "e2e.json");
        if (!File.Exists(file))
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return md.ToString();
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        var r = json.RootElement;
        md.AppendLine($"`e2e` mode: {r.GetProperty("calls").GetInt32()} calls one after the other against the CPS process of the HTTP runs, through the library's call flows:");
        md.AppendLine($"`CallPlacer.StoreAsync` (sign a SHAKEN PASSporT, derive the call's index, seal one blob to {r.GetProperty("holders").GetInt32()} key holders, POST it)");
        md.AppendLine("then `CallVerifier.VerifyAsync` for one of the holders (derive the index, GET the bucket, trial-open its 16 blobs, verify the");
        md.AppendLine("PASSporT with a static key, replay check). Every call must end `TN-Validation-Passed`; each call has a fresh calling number,");
        md.AppendLine($"so a fresh bucket, among {r.GetProperty("destinations").GetInt32()} called numbers. Steps are timed by the flows themselves (`PlacementReport.Steps`, `CallVerdict.Steps`).");
        md.AppendLine("These calls go over plain HTTP on loopback (one `HttpClient`, connections kept alive); the TLS section gives HTTPS's cost.");
        md.AppendLine();
        md.AppendLine("**The index function is kept off the call path.** Argon2id (19 MiB, t = 2) runs once per called number and epoch on each side and");
        md.AppendLine("is cached (`DestinationKeyCache`): a callee prepares its own numbers before each epoch starts, a caller its frequent");
        md.AppendLine($"destinations; then each call's index is one HMAC. Here one warm-up call per number paid it: **{Format.N(r.GetProperty("coldIndexP50ms").GetDouble(), "0.0")} ms** per call");
        md.AppendLine("(median, caller and callee together), not counted below.");
        md.AppendLine();
        md.AppendLine("| | p50 | p99 | mean |");
        md.AppendLine("|---|--:|--:|--:|");
        md.AppendLine($"| Whole call (store → verdict), warm index | {r.GetProperty("p50ms").GetDouble():0.00} ms | {r.GetProperty("p99ms").GetDouble():0.00} ms | {r.GetProperty("meanMs").GetDouble():0.00} ms |");
        md.AppendLine($"| The same without the (warm) index steps | {r.GetProperty("withoutIndexP50ms").GetDouble():0.00} ms | {r.GetProperty("withoutIndexP99ms").GetDouble():0.00} ms | |");
        md.AppendLine();
        md.AppendLine("| Step | mean | p99 | share of the call |");
        md.AppendLine("|---|--:|--:|--:|");
        foreach (var s in r.GetProperty("steps").EnumerateArray())
        {
            md.AppendLine($"| {s.GetProperty("step").GetString()} | {s.GetProperty("meanMs").GetDouble():0.000} ms | {s.GetProperty("p99ms").GetDouble():0.000} ms | {s.GetProperty("share").GetDouble() * 100:0.0} % |");
        }

        md.AppendLine();
        targets.Add(Row.Value("latency", "End-to-end verified call on loopback, p99, index excluded", r.GetProperty("withoutIndexP99ms").GetDouble(), "ms", Target.Max(20)));
        return md.ToString();
    }

    private static string Ms(double microseconds) => $"{Format.N(microseconds / 1000, "0.00")} ms";

    private static string MiB(double bytes) => double.IsNaN(bytes) ? "—" : $"{Format.N(bytes / (1024 * 1024), "#,0.0")} MiB";

    // CPU per retrieval from the CPS processes' CPU time during the run (bench/load/run writes NAME.cpu), against
    // the floor that the slot model imposes on a cold bucket: one X25519 base-point multiplication per slot
    // (costs.json of the same bench/run, libsodium's thread-CPU time per key pair).
    private static string CoverFloor(string raw, WrkResult cold, WrkResult hot, int connections)
    {
        var coldCpu = CpuSeconds(raw, $"cps-retrieve-c{connections}");
        var hotCpu = CpuSeconds(raw, $"cps-retrieve-hot-c{connections}");
        if (coldCpu is null || hotCpu is null || cold.Requests == 0 || hot.Requests == 0)
        {
            return "";
        }

        var coldUs = coldCpu.Value * 1e6 / cold.Requests;
        var hotUs = hotCpu.Value * 1e6 / hot.Requests;
        var md = new StringBuilder();
        md.AppendLine($"**CPU per retrieval** (the CPS process's user + system time during the run ÷ the requests answered, which wrk");
        md.AppendLine($"sharing the cores does not inflate): **{Format.N(coldUs, "0")} µs** over uniformly drawn buckets, {Format.N(hotUs, "0")} µs with the");
        md.Append("64 buckets retrieved again and again.");
        var keyPair = CostOf(Path.Combine(raw, "..", "costs.json"), "X25519 key pair (libsodium)");
        if (keyPair is { } k)
        {
            var floor = 16 * k / 1000;
            md.AppendLine($" The floor of a cold retrieval is 16 X25519 base-point multiplications, {Format.N(floor, "0")} µs of CPU here");
            md.AppendLine($"(16 × {Format.N(k / 1000, "0.0")} µs, libsodium, `costs` above): the CPS's cold retrieval costs **{Format.Ratio(coldUs / floor)}×** that floor, i.e. the HTTP");
            md.AppendLine("server, the store read, the 16 cover timelines, HMACs and ChaCha20-Poly1305 of 32 KiB add the rest. A plain GET of 32 KiB (bare");
            md.AppendLine("Kestrel) costs a few tens of µs, so no implementation of this slot model reaches 0.9× of it on a cold bucket: the target");
            md.AppendLine("would need decoy `enc`s that cost far less than a scalar multiplication (see spec/protocol.md §9 and the closing notes).");
        }
        else
        {
            md.AppendLine();
        }

        md.AppendLine();
        return md.ToString();
    }

    private static double? CpuSeconds(string raw, string name)
    {
        var files = File.Exists(Path.Combine(raw, name + ".cpu")) ? [Path.Combine(raw, name + ".cpu")] : Directory.GetFiles(raw, name + ".node*.cpu");
        return files.Length == 0 ? null : files.Sum(f => double.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture));
    }

    private static double? CostOf(string costsJson, string operation)
    {
        if (!File.Exists(costsJson))
        {
            return null;
        }

        using var json = JsonDocument.Parse(File.ReadAllText(costsJson));
        foreach (var e in json.RootElement.EnumerateArray())
        {
            if (e.GetProperty("operation").GetString() == operation)
            {
                return e.GetProperty("cpuNanoseconds").GetDouble();
            }
        }

        return null;
    }

    private sealed record Context(string Raw, string Store, int Nodes, int[] Connections, bool Quick);

    private sealed record Row(string Part, string What, string Measured, string TargetText, string Verdict)
    {
        public static Row Ratio(string part, string what, double ratio, Target target) =>
            new(part, what, Format.Ratio(ratio), target.ToString(), target.Verdict(ratio));

        public static Row Value(string part, string what, double value, string unit, Target target) =>
            new(part, what, double.IsNaN(value) ? "—" : $"{Format.N(value, "0.00")} {unit}", $"{target} {unit}", target.Verdict(value));

        public static Row Info(string part, string what, string measured) => new(part, what, measured, "—", "—");
    }
}
