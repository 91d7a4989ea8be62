using System.Text.Json.Nodes;
using Stir.Encrypted.Calls;

namespace Stir.Encrypted.Cli;

/// <summary>The steps of a store or a verification with their times, as text lines and as JSON.</summary>
internal static class Steps
{
    public static double Ms(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 2);

    public static JsonArray ToJson(IEnumerable<CallStep> steps) =>
        new([.. steps.Select(s => (JsonNode)new JsonObject { ["step"] = s.Name, ["ms"] = Ms(s.Duration), ["detail"] = s.Detail })]);

    public static void Write(TextWriter w, IReadOnlyList<CallStep> steps, string indent = "  ")
    {
        foreach (var s in steps)
        {
            w.WriteLine($"{indent}{s.Name,-9}{s.Duration.TotalMilliseconds,9:F1} ms  {s.Detail}");
        }

        w.WriteLine($"{indent}{"total",-9}{steps.Aggregate(TimeSpan.Zero, (t, s) => t + s.Duration).TotalMilliseconds,9:F1} ms");
    }
}
