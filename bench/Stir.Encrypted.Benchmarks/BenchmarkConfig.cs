using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Stir.Encrypted.Benchmarks;

/// <summary>
/// The BenchmarkDotNet configuration bench/run uses: one launch, 3 warm-up and 10 measured iterations of about
/// 250 ms each. That keeps the whole suite to a few minutes on the 2-core machine while every benchmark still
/// performs hundreds of operations per iteration (Argon2id: several). The full JSON export is what the report reads.
/// Benchmarks run out of process, as BenchmarkDotNet recommends, in a project it generates and builds once per run;
/// that build skips the analyzers (they do not change the compiled code) and may take minutes on a loaded machine.
/// </summary>
internal static class BenchmarkConfig
{
    public static IConfig Create(string artifactsPath, bool quick)
    {
        var job = (quick ? Job.Dry.WithId("quick") : Bench)
            .WithArguments([new MsBuildArgument("/p:RunAnalyzers=false"), new MsBuildArgument("/p:EnforceCodeStyleInBuild=false")]);
        return DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(JsonExporter.Full)
            .WithArtifactsPath(artifactsPath)
            .WithBuildTimeout(TimeSpan.FromMinutes(10));
    }

    private static Job Bench =>
        Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            .WithId("bench");
}
