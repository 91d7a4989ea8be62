using BenchmarkDotNet.Running;
using Stir.Encrypted.Benchmarks.Flows;
using Stir.Encrypted.Benchmarks.Load;
using Stir.Encrypted.Benchmarks.Privacy;
using Stir.Encrypted.Benchmarks.Report;

namespace Stir.Encrypted.Benchmarks;

/// <summary>
/// Modes: BenchmarkDotNet (default; BenchmarkDotNet's own options such as <c>--filter</c>, plus
/// <c>--artifacts DIR</c> and <c>--quick</c>), <c>flows</c> (the flow-throughput harness), <c>costs</c>,
/// <c>report</c> (turns the raw results of bench/run into Markdown fragments), and for bench/load/run:
/// <c>litedb</c>, <c>store-fill</c>, <c>store-expiry</c>, <c>e2e</c> and <c>report-load</c>; for bench/privacy/timing:
/// <c>timing</c> (the timing prober) and <c>timing-report</c>; for bench/privacy/run: <c>coincidence</c> (the
/// multi-holder coincidence poller) and <c>privacy-report</c>.
/// </summary>
internal static class Program
{
    public static int Main(string[] args) => args.FirstOrDefault() switch
    {
        "flows" => FlowHarness.Run(args[1..]),
        "report" => ResultsReport.Run(args[1..]),
        "costs" => CpuCosts.Run(args[1..]),
        "litedb" => RawLiteDb.Run(args[1..]),
        "store-fill" => StoreScale.FillAsync(args[1..]).GetAwaiter().GetResult(),
        "store-expiry" => StoreScale.ExpiryAsync(args[1..]).GetAwaiter().GetResult(),
        "e2e" => EndToEnd.RunAsync(args[1..]).GetAwaiter().GetResult(),
        "report-load" => LoadReport.Run(args[1..]),
        "timing" => TimingProbe.Run(args[1..]),
        "timing-report" => TimingReport.Run(args[1..]),
        "coincidence" => CoincidenceProbe.Run(args[1..]),
        "privacy-report" => PrivacyReport.Run(args[1..]),
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
