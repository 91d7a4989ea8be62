using System.Text.Json;

namespace Stir.Encrypted.Benchmarks.Load;

/// <summary>
/// One wrk measurement: the JSON line bench/wrk/common.lua prints when wrk is done, added up over the CPS
/// nodes when bench/load/run drove several at once (files <c>NAME.nodeN.txt</c>). Latencies in microseconds;
/// with several nodes the percentiles are the worst node's (wrk cannot merge histograms across processes).
/// </summary>
internal sealed record WrkResult(long Requests, double Rps, double P50, double P99, double P999, long Non2xx, long SocketErrors, int Nodes)
{
    /// <summary>The result named <paramref name="name"/> in <paramref name="directory"/>, or null when it was not measured.</summary>
    public static WrkResult? Load(string directory, string name)
    {
        var files = File.Exists(Path.Combine(directory, name + ".txt"))
            ? [Path.Combine(directory, name + ".txt")]
            : Directory.GetFiles(directory, name + ".node*.txt");
        if (files.Length == 0)
        {
            return null;
        }

        var parts = files.Select(Parse).ToList();
        return new WrkResult(
            parts.Sum(p => p.Requests),
            parts.Sum(p => p.Rps),
            parts.Max(p => p.P50),
            parts.Max(p => p.P99),
            parts.Max(p => p.P999),
            parts.Sum(p => p.Non2xx),
            parts.Sum(p => p.SocketErrors),
            files.Length);
    }

    /// <summary>Requests answered with a 2xx per second: what the target rates count.</summary>
    public double GoodRps => Requests == 0 ? 0 : Rps * (Requests - Non2xx) / Requests;

    private static WrkResult Parse(string file)
    {
        var line = File.ReadLines(file).LastOrDefault(l => l.StartsWith("{\"requests\"", StringComparison.Ordinal))
            ?? throw new FormatException($"{file}: no summary line from bench/wrk/common.lua (did wrk fail? see the file)");
        using var json = JsonDocument.Parse(line);
        var r = json.RootElement;
        return new WrkResult(
            r.GetProperty("requests").GetInt64(),
            r.GetProperty("rps").GetDouble(),
            r.GetProperty("p50us").GetDouble(),
            r.GetProperty("p99us").GetDouble(),
            r.GetProperty("p999us").GetDouble(),
            r.GetProperty("non2xx").GetInt64(),
            r.GetProperty("connectErrors").GetInt64() + r.GetProperty("readErrors").GetInt64() + r.GetProperty("writeErrors").GetInt64() + r.GetProperty("timeouts").GetInt64(),
            1);
    }
}
