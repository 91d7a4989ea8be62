using System.Text;

namespace Stir.Encrypted.Benchmarks.Report;

/// <summary>
/// <c>report --raw DIR --out DIR</c>: turns what bench/run collected in DIR (BenchmarkDotNet's JSON under
/// <c>bdn/results</c>, the flow rounds and `openssl speed` outputs) into Markdown fragments in the output folder:
/// <c>15-targets.md</c> (every target of this part, PASS or MISS), <c>20-crypto.md</c>, <c>30-flows.md</c>.
/// bench/run concatenates all fragments into bench/RESULTS.md, so other parts can add their own.
/// </summary>
internal static class ResultsReport
{
    public static int Run(string[] args)
    {
        var raw = Option(args, "--raw") ?? throw new ArgumentException("report needs --raw DIR");
        var output = Option(args, "--out") ?? throw new ArgumentException("report needs --out DIR");
        Directory.CreateDirectory(output);

        var summary = new List<TargetResult>();
        var crypto = CryptoSection.Write(BdnResults.Load(Path.Combine(raw, "bdn", "results")), summary);
        var flows = FlowSection.Write(raw, summary);

        var md = new StringBuilder();
        md.AppendLine("## Targets: crypto hot paths and flows");
        md.AppendLine();
        md.AppendLine("Every ratio is measured against its baseline in the same run on the same machine (details in the sections below).");
        md.AppendLine();
        md.AppendLine("| Part | What | Ratio | Target | Result |");
        md.AppendLine("|---|---|--:|:-:|---|");
        foreach (var t in summary)
        {
            md.AppendLine($"| {t.Section} | {t.What} | {Format.Ratio(t.Ratio)} | {t.Target} | {t.Verdict} |");
        }

        var misses = summary.Count(t => t.Verdict != "PASS");
        md.AppendLine();
        md.AppendLine($"{summary.Count - misses} of {summary.Count} targets met.");
        md.AppendLine();

        File.WriteAllText(Path.Combine(output, "15-targets.md"), md.ToString());
        File.WriteAllText(Path.Combine(output, "20-crypto.md"), crypto);
        File.WriteAllText(Path.Combine(output, "30-flows.md"), flows);
        Console.Error.WriteLine($"report: {summary.Count - misses} of {summary.Count} targets met; fragments in {output}");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
