using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Benchmarks.Flows;

/// <summary>
/// Flow throughput (not BenchmarkDotNet): each of T dedicated threads runs one flow in a loop as fast as it can;
/// after a warm-up, the operations completed during a fixed wall-clock window are counted. Every operation checks
/// its own result, so a broken flow fails the run instead of reporting a fast wrong answer.
/// </summary>
/// <remarks>
/// Command line: <c>flows [--threads 1,2] [--seconds 5] [--warmup 1] [--out file.json]</c>. The output is one JSON
/// object per (flow, threads) in an array; the report compares it with `openssl speed` run beside it.
/// </remarks>
internal static class FlowHarness
{
    // Counters sit 128 bytes apart so that threads do not share a cache line.
    private const int CounterStride = 16;

    public static int Run(string[] args)
    {
        var threads = Option(args, "--threads", "1,2").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var seconds = double.Parse(Option(args, "--seconds", "5"), CultureInfo.InvariantCulture);
        var warmup = double.Parse(Option(args, "--warmup", "1"), CultureInfo.InvariantCulture);
        var output = Option(args, "--out", "");

        using var holder1 = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var holder2 = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        HpkePublicKey[] holders = [holder1.PublicKey, holder2.PublicKey];
        using var callee = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var index = Samples.Index();
        Samples.Cache.Prepare(Samples.Dest, Samples.Epoch);

        var results = new JsonArray();
        foreach (var t in threads)
        {
            results.Add(Measure("store", t, warmup, seconds, _ => new StoreFlow(Samples.Cache, holders)));
            results.Add(Measure("retrieve", t, warmup, seconds, thread => new RetrieveFlow(index, callee, realSlot: (5 + thread) % Samples.DefaultSlots)));
        }

        var json = results.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (output.Length > 0)
        {
            File.WriteAllText(output, json + "\n");
        }
        else
        {
            Console.WriteLine(json);
        }

        return 0;
    }

    private static JsonObject Measure(string flow, int threadCount, double warmupSeconds, double seconds, Func<int, IFlow> create)
    {
        var flows = Enumerable.Range(0, threadCount).Select(create).ToArray();
        var counters = new long[threadCount * CounterStride];
        var stop = 0;
        Exception? failure = null;
        var threads = Enumerable.Range(0, threadCount).Select(i => new Thread(() =>
        {
            try
            {
                while (Volatile.Read(ref stop) == 0)
                {
                    flows[i].RunOnce();
                    Volatile.Write(ref counters[i * CounterStride], counters[i * CounterStride] + 1);
                }
            }
            catch (Exception e)
            {
                failure ??= e;
                Volatile.Write(ref stop, 1);
            }
        })
        { IsBackground = true, Name = $"{flow}-{i}" }).ToArray();

        foreach (var thread in threads)
        {
            thread.Start();
        }

        Thread.Sleep(TimeSpan.FromSeconds(warmupSeconds));
        using var process = Process.GetCurrentProcess();
        var start = Snapshot(counters, threadCount);
        var cpuStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        var end = Snapshot(counters, threadCount);
        var elapsed = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        Volatile.Write(ref stop, 1);
        foreach (var thread in threads)
        {
            thread.Join();
        }

        foreach (var f in flows)
        {
            f.Dispose();
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"the {flow} flow failed: {failure.Message}", failure);
        }

        var perThread = end.Zip(start, (e, s) => e - s).ToArray();
        var operations = perThread.Sum();
        var measurement = new JsonObject
        {
            ["flow"] = flow,
            ["threads"] = threadCount,
            ["seconds"] = Math.Round(elapsed, 3),
            ["operations"] = operations,
            ["opsPerSecond"] = Math.Round(operations / elapsed, 1),
            ["cpuSeconds"] = Math.Round(cpu, 3),
            ["opsPerCpuSecond"] = Math.Round(operations / cpu, 1),
            ["perThread"] = new JsonArray([.. perThread.Select(p => (JsonNode)p)]),
        };
        Console.Error.WriteLine($"flows: {flow,-8} {threadCount} thread(s): {operations / elapsed,9:F1} ops/s ({operations} in {elapsed:F2} s; {operations / cpu:F1} per CPU-second of the process)");
        return measurement;
    }

    private static long[] Snapshot(long[] counters, int threadCount) =>
        [.. Enumerable.Range(0, threadCount).Select(i => Volatile.Read(ref counters[i * CounterStride]))];

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
