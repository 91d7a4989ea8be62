using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Stir.Encrypted.Benchmarks.Report;

/// <summary>
/// The flow part of the report: our store and retrieve flows (ops/s, 1 and 2 threads) against the throughput
/// `openssl speed` implies for the same public-key operations, measured alternately in rounds so that both see
/// the same load. A round r has <c>openssl-r{r}-t{t}.txt</c> and <c>flows-r{r}-t{t}.json</c> for t = 1, 2.
/// </summary>
internal static class FlowSection
{
    private const int Holders = Samples.Holders;
    private const int Slots = Samples.DefaultSlots;

    public static string Write(string rawDirectory, List<TargetResult> summary)
    {
        var rounds = new List<Round>();
        for (var r = 1; File.Exists(Path.Combine(rawDirectory, $"openssl-r{r}-t1.txt")); r++)
        {
            rounds.Add(new Round(r, Load(rawDirectory, r, 1), Load(rawDirectory, r, 2)));
        }

        var md = new StringBuilder();
        md.AppendLine("## Flow throughput against the `openssl speed` floor");
        md.AppendLine();
        md.AppendLine($"**Store** (caller, per call): build and sign one PASSporT, pad it into a 4096-byte blob, seal it to H = {Holders} key holders");
        md.AppendLine($"(`PassportBuilder.Sign` + `BlobSealer.Seal`). Floor: 1 ECDSA P-256 sign + {2 * Holders} X25519 (an ephemeral key pair and an agreement per holder).");
        md.AppendLine($"**Retrieve** (callee, per call): trial-open a retrieval of {Slots} blobs of 4096 bytes, one real (`BucketOpener.Open`), and verify the");
        md.AppendLine($"PASSporT inside with a static key (`PassportVerifier` + `StaticKeyCredentialResolver`). Floor: {Slots} X25519 + 1 ECDSA P-256 verify.");
        md.AppendLine("The floor is the ops/s of a flow made of nothing but those operations at the rates `openssl speed` measured (C, OpenSSL");
        md.AppendLine("3); everything else (HKDF, ChaCha20-Poly1305, JSON, padding, parsing) has to fit in the difference. Each thread runs its");
        md.AppendLine("own flow loop (`flows` mode of the benchmark app: 1 s warm-up, then a fixed window); `openssl speed` runs right before");
        md.AppendLine("each flow measurement, single-process for 1 thread and `-multi 2` for 2 threads. The table reports the median over rounds.");
        md.AppendLine();
        if (rounds.Count == 0)
        {
            md.AppendLine("*No flow rounds found: run `bench/run`.*");
            return md.ToString();
        }

        var storeTarget = Target.Min(0.67);
        var scalingTarget = Target.Min(1.7);
        md.AppendLine($"| Flow | ops/s, 1 thread | Floor, 1 thread | Ratio (target {storeTarget}) | Result | ops/s, 2 threads | Scaling 2/1 (target {scalingTarget}) | Result | Floor, 2 proc. | Ratio, 2 threads | openssl's own scaling |");
        md.AppendLine("|---|--:|--:|--:|---|--:|--:|---|--:|--:|--:|");
        foreach (var flow in new[] { "store", "retrieve" })
        {
            var ours1 = Format.Median([.. rounds.Select(r => r.One.Ops(flow))]);
            var ours2 = Format.Median([.. rounds.Select(r => r.Two.Ops(flow))]);
            var floor1 = Format.Median([.. rounds.Select(r => r.One.Floor(flow))]);
            var floor2 = Format.Median([.. rounds.Select(r => r.Two.Floor(flow))]);
            var ratio1 = Format.Median([.. rounds.Select(r => r.One.Ops(flow) / r.One.Floor(flow))]);
            var ratio2 = Format.Median([.. rounds.Select(r => r.Two.Ops(flow) / r.Two.Floor(flow))]);
            var scaling = Format.Median([.. rounds.Select(r => r.Two.Ops(flow) / r.One.Ops(flow))]);
            var opensslScaling = Format.Median([.. rounds.Select(r => r.Two.Floor(flow) / r.One.Floor(flow))]);
            summary.Add(new TargetResult("flows", $"{flow} flow, 1 thread, vs. openssl floor", ratio1, storeTarget));
            summary.Add(new TargetResult("flows", $"{flow} flow, 2 threads ÷ 1 thread", scaling, scalingTarget));
            md.AppendLine($"| {flow} | {Format.Rate(ours1)} | {Format.Rate(floor1)} | {Format.Ratio(ratio1)} | {storeTarget.Verdict(ratio1)} | {Format.Rate(ours2)} | {Format.Ratio(scaling)} | {scalingTarget.Verdict(scaling)} | {Format.Rate(floor2)} | {Format.Ratio(ratio2)} | {Format.Ratio(opensslScaling)} |");
        }

        md.AppendLine();
        md.AppendLine("*openssl's own scaling* is the 2-process floor over the 1-process floor in the same rounds: what this machine gave two");
        md.AppendLine("busy cores at the time. Where it is well below 2, the machine, not the code, limits the 2-thread scaling.");
        md.AppendLine();
        md.AppendLine("<details><summary>Every round</summary>");
        md.AppendLine();
        md.AppendLine("| Round | Threads | openssl sign/s | verify/s | X25519/s | Store floor | Store ops/s | Ratio | Retrieve floor | Retrieve ops/s | Ratio |");
        md.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var round in rounds)
        {
            foreach (var m in new[] { round.One, round.Two })
            {
                md.AppendLine($"| {round.Number} | {m.Threads} | {Format.Rate(m.Speed.SignPerSecond)} | {Format.Rate(m.Speed.VerifyPerSecond)} | {Format.Rate(m.Speed.X25519PerSecond)} | {Format.Rate(m.Floor("store"))} | {Format.Rate(m.Ops("store"))} | {Format.Ratio(m.Ops("store") / m.Floor("store"))} | {Format.Rate(m.Floor("retrieve"))} | {Format.Rate(m.Ops("retrieve"))} | {Format.Ratio(m.Ops("retrieve") / m.Floor("retrieve"))} |");
            }
        }

        md.AppendLine();
        md.AppendLine("</details>");
        md.AppendLine();
        return md.ToString();
    }

    private static Measurement Load(string directory, int round, int threads)
    {
        var opensslFile = Path.Combine(directory, $"openssl-r{round}-t{threads}.txt");
        var flowsFile = Path.Combine(directory, $"flows-r{round}-t{threads}.json");
        var speed = OpensslSpeed.Parse(File.ReadAllText(opensslFile), opensslFile);
        using var document = JsonDocument.Parse(File.ReadAllBytes(flowsFile));
        var ops = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var m in document.RootElement.EnumerateArray())
        {
            if (m.GetProperty("threads").GetInt32() == threads)
            {
                ops[m.GetProperty("flow").GetString()!] = m.GetProperty("opsPerSecond").GetDouble();
            }
        }

        return ops.ContainsKey("store") && ops.ContainsKey("retrieve")
            ? new Measurement(threads, speed, ops)
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{flowsFile}: no store and retrieve results for {threads} thread(s)"));
    }

    private sealed record Round(int Number, Measurement One, Measurement Two);

    private sealed record Measurement(int Threads, OpensslSpeed Speed, Dictionary<string, double> OpsPerSecond)
    {
        public double Ops(string flow) => OpsPerSecond[flow];

        public double Floor(string flow) => flow == "store"
            ? Speed.Floor(signs: 1, verifies: 0, x25519: 2 * Holders)
            : Speed.Floor(signs: 0, verifies: 1, x25519: Slots);
    }
}
