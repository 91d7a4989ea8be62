using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stir.Encrypted.Benchmarks.Load;

/// <summary>The <c>--name value</c> options of the load harness modes, and where their JSON goes.</summary>
internal static class CommandLine
{
    public static string Text(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static int Int(string[] args, string name, int fallback) => int.Parse(Text(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public static double Number(string[] args, string name, double fallback) => double.Parse(Text(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="result"/> to <c>--out</c>, or to stdout without it.</summary>
    public static void Write(string[] args, JsonNode result)
    {
        var json = result.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var output = Text(args, "--out", "");
        if (output.Length > 0)
        {
            File.WriteAllText(output, json + "\n");
        }
        else
        {
            Console.WriteLine(json);
        }
    }
}
