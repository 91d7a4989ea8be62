using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Stir.Encrypted.Benchmarks.Privacy;

/// <summary>
/// Writes bench/results/privacy.md from what bench/privacy/run measured: the coincidence poller's results (JSON of
/// <see cref="CoincidenceProbe"/>), the black-box adversary tests' outcomes and output (TRX files of dotnet test),
/// and the claim rows of the timing report bench/privacy/timing wrote. The threat model quotes this file.
/// </summary>
/// <remarks><c>privacy-report --raw DIR --timing bench/results/privacy-timing.md --out bench/results/privacy.md</c></remarks>
internal static class PrivacyReport
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public static int Run(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        if (Arg("--raw") is not { } raw || Arg("--out") is not { } output)
        {
            Console.Error.WriteLine("usage: privacy-report --raw DIR [--timing FILE] --out FILE");
            return 2;
        }

        var md = new StringBuilder();
        var machine = File.Exists(Path.Combine(raw, "machine.txt")) ? File.ReadAllText(Path.Combine(raw, "machine.txt")).Trim() : "(not recorded)";
        md.AppendLine("# Privacy against the adversaries of issue 13");
        md.AppendLine();
        md.AppendLine("Written by `bench/privacy/run` (one command for every privacy measurement); do not edit by hand. Every");
        md.AppendLine("adversary plays **black-box against the CPS over HTTP only**: as a real process, except the lifetime poller");
        md.AppendLine("(PollingTests), which polls an in-process host on a fake clock to cover 25 minutes. spec/threat-model.md, \"Privacy by");
        md.AppendLine("adversary\", quotes this file. A channel is at chance when a classifier's AUC is within 0.55 of 0.5 (either way),");
        md.AppendLine("its 95 % interval reported; the other channels are bounded by the numbers the threat model states, and their tests");
        md.AppendLine("check those bounds exactly.");
        md.AppendLine();
        md.AppendLine("## Machine and run");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(machine);
        md.AppendLine("```");
        md.AppendLine();

        md.AppendLine("## Timing prober (network observer, active prober): bench/results/privacy-timing.md");
        md.AppendLine();
        if (Arg("--timing") is { } timing && File.Exists(timing))
        {
            md.AppendLine("The claim rows (this tree, default deadline; 2000 probes per class); the full report, with the checks against the");
            md.AppendLine("code before the fix and with the deadline off (which must show the leaks), is [privacy-timing.md](privacy-timing.md).");
            md.AppendLine();
            var lines = File.ReadAllLines(timing);
            var header = lines.FirstOrDefault(l => l.StartsWith("| Run | Store | Code | Pair", StringComparison.Ordinal));
            if (header is not null)
            {
                md.AppendLine(header);
                md.AppendLine(lines[Array.IndexOf(lines, header) + 1]);
                var table = lines.Skip(Array.IndexOf(lines, header) + 2).TakeWhile(l => l.StartsWith('|'));
                foreach (var line in table.Where(l => l.StartsWith("| litedb-fixed", StringComparison.Ordinal) || l.StartsWith("| redis-fixed", StringComparison.Ordinal)))
                {
                    md.AppendLine(line);
                }
            }
            else
            {
                md.AppendLine("(the timing report has no table of retrieval timing: was bench/privacy/timing run?)");
            }
        }
        else
        {
            md.AppendLine("(not run this time: the timing report is the one committed, [privacy-timing.md](privacy-timing.md))");
        }

        md.AppendLine();
        md.AppendLine("## Multi-holder coincidence poller (passive poller who knows the pair)");
        md.AppendLine();
        md.AppendLine("Calls to a number with 3 key holders; the poller derives where each call's blobs go and polls there (and 4 other");
        md.AppendLine("buckets, for more cover appearances) every 40 ms for 2 s around the store. Score of an appearance: how many other");
        md.AppendLine("blobs appeared within one poll in the same call's buckets (for another bucket, in it). AUC: real blobs' scores");
        md.AppendLine("against the covers', DeLong 95 % interval. *library*: the library's CallPlacer (one blob in one bucket for every");
        md.AppendLine("holder); *per-holder*: the behaviour before it (one blob per holder, each in its own bucket, stored in parallel),");
        md.AppendLine("which the poller must catch.");
        md.AppendLine();
        md.AppendLine("| Source | Calls | Real / cover appearances | Real with a companion | Covers with a companion | AUC [95 % CI] | Verdict |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|---|");
        foreach (var source in new[] { "library", "per-holder" })
        {
            var file = Path.Combine(raw, $"coincidence-{source}.json");
            if (!File.Exists(file))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {source} | (not run) | | | | | |");
                continue;
            }

            var r = JsonSerializer.Deserialize<CoincidenceProbe.Result>(File.ReadAllText(file))!;
            var verdict = source == "library"
                ? (Math.Abs(r.Auc - 0.5) <= 0.05 ? "at chance" : "NOT at chance")
                : (r.Auc > 0.55 ? "check: leak seen" : "check: NOT seen (the poller proves nothing)");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {source} | {r.Calls} | {r.Reals} / {r.Covers} | {r.RealWithCompanion:P1} | {r.CoverWithCompanion:P1} | {r.Auc:F3} [{r.AucLow:F3}, {r.AucHigh:F3}] | {verdict} |");
        }

        md.AppendLine();
        md.AppendLine("## Black-box adversary tests (exact bounds)");
        md.AppendLine();
        md.AppendLine("Run by `dotnet test` against the CPS process (or, for the weak configuration, a server serving weak documents);");
        md.AppendLine("each checks an exact property, not a statistic, and fails when it breaks. Their own output follows the table.");
        md.AppendLine();
        md.AppendLine("| Adversary | Test | Outcome | Time |");
        md.AppendLine("|---|---|---|--:|");
        var outputs = new StringBuilder();
        foreach (var trx in Directory.Exists(raw) ? [.. Directory.GetFiles(raw, "*.trx").Order(StringComparer.Ordinal)] : Array.Empty<string>())
        {
            var document = XDocument.Load(trx);
            foreach (var result in document.Descendants(Trx + "UnitTestResult").OrderBy(r => (string?)r.Attribute("testName"), StringComparer.Ordinal))
            {
                var name = (string?)result.Attribute("testName") ?? "?";
                var arguments = name.Contains('(', StringComparison.Ordinal) ? name[name.IndexOf('(', StringComparison.Ordinal)..] : "";
                var shortName = string.Join('.', name.Split('(')[0].Split('.').TakeLast(2)) + (arguments.Length > 60 ? arguments[..57] + "…)" : arguments);
                var outcome = (string?)result.Attribute("outcome") ?? "?";
                var duration = TimeSpan.TryParse((string?)result.Attribute("duration"), CultureInfo.InvariantCulture, out var d) ? $"{d.TotalSeconds:F1} s" : "";
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Adversary(shortName)} | `{shortName}` | {outcome} | {duration} |");
                var stdout = result.Descendants(Trx + "StdOut").FirstOrDefault()?.Value.Trim();
                if (!string.IsNullOrEmpty(stdout))
                {
                    outputs.AppendLine(CultureInfo.InvariantCulture, $"- `{shortName}`: {string.Join("; ", stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
                }
            }
        }

        md.AppendLine();
        if (outputs.Length > 0)
        {
            md.AppendLine("What they printed:");
            md.AppendLine();
            md.Append(outputs);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, md.ToString());
        Console.WriteLine($"privacy-report: wrote {output}");
        return 0;
    }

    private static string Adversary(string test) => test switch
    {
        _ when test.StartsWith("MetricsReader", StringComparison.Ordinal) => "metrics reader",
        _ when test.StartsWith("ProcessApiTests", StringComparison.Ordinal) => "active prober (public endpoints)",
        _ when test.StartsWith("FillOracle", StringComparison.Ordinal) => "storer / coalition",
        _ when test.StartsWith("MultiHolder", StringComparison.Ordinal) => "coincidence poller",
        _ when test.StartsWith("CpsConfigurationCheck", StringComparison.Ordinal) => "weak-configuration CPS",
        _ when test.StartsWith("CallTimeDirectoryPrivacy", StringComparison.Ordinal) => "directory at call time",
        _ when test.StartsWith("PollingTests", StringComparison.Ordinal) => "passive poller (lifetimes)",
        _ when test.StartsWith("ClientAddress", StringComparison.Ordinal) => "operator's files (addresses)",
        _ => "",
    };
}
