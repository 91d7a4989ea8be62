using BenchmarkDotNet.Running;
using Stir.Encrypted.Benchmarks.Flows;
using Stir.Encrypted.Benchmarks.Report;

namespace Stir.Encrypted.Benchmarks;

/// <summary>
/// Three modes: BenchmarkDotNet (default; BenchmarkDotNet's own options such as <c>--filter</c>, plus
/// <c>--artifacts DIR</c> and <c>--quick</c>), <c>flows</c> (the flow-throughput harness) and <c>report</c>
/// (turns the raw results of bench/run into Markdown fragments).
/// </summary>
internal static class Program
{
    public static int Main(string[] args) => args.FirstOrDefault() switch
    {
        "flows" => FlowHarness.Run(args[1..]),
        "report" => ResultsReport.Run(args[1..]),
        "costs" => CpuCosts.Run(args[1..]),
        _ => RunBenchmarks(args),
    };

    private static int RunBenchmarks(string[] args)
    {
        var quick = args.Contains("--quick");
        var rest = args.Where(a => a != "--quick").ToList();
        var artifacts = Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts");
        var i = rest.IndexOf("--artifacts");
        if (i >= 0 && i + 1 < rest.Count)
        {
            artifacts = Path.GetFullPath(rest[i + 1]);
            rest.RemoveRange(i, 2);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], BenchmarkConfig.Create(artifacts, quick));
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
