using System.Text.Json;

namespace Stir.Encrypted.Benchmarks.Report;

/// <summary>One benchmark case of a BenchmarkDotNet full JSON export: times in nanoseconds per operation.</summary>
internal sealed record BdnCase(string Type, string Method, string Parameters, double Median, double Mean, double StandardError, int Iterations, long AllocatedBytes);

/// <summary>Reads every <c>*-report-full.json</c> BenchmarkDotNet wrote into a results folder.</summary>
internal sealed class BdnResults
{
    private readonly Dictionary<(string Type, string Method, string Parameters), BdnCase> _cases;

    private BdnResults(Dictionary<(string, string, string), BdnCase> cases)
    {
        _cases = cases;
    }

    public IEnumerable<BdnCase> All => _cases.Values.OrderBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Parameters, StringComparer.Ordinal);

    public static BdnResults Load(string directory)
    {
        var cases = new Dictionary<(string, string, string), BdnCase>();
        if (!Directory.Exists(directory))
        {
            return new BdnResults(cases);
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*-report-full.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var b in document.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                // A case that failed has no statistics; it is reported as missing rather than as a number.
                if (b.GetProperty("Statistics").ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var statistics = b.GetProperty("Statistics");
                var c = new BdnCase(
                    b.GetProperty("Type").GetString()!,
                    b.GetProperty("Method").GetString()!,
                    b.GetProperty("Parameters").GetString() ?? "",
                    statistics.GetProperty("Median").GetDouble(),
                    statistics.GetProperty("Mean").GetDouble(),
                    statistics.GetProperty("StandardError").GetDouble(),
                    statistics.GetProperty("N").GetInt32(),
                    b.TryGetProperty("Memory", out var memory) ? memory.GetProperty("BytesAllocatedPerOperation").GetInt64() : 0);
                cases[(c.Type, c.Method, c.Parameters)] = c;
            }
        }

        return new BdnResults(cases);
    }

    public BdnCase? Find(string type, string method, string parameters = "") =>
        _cases.TryGetValue((type, method, parameters), out var c) ? c : null;
}
