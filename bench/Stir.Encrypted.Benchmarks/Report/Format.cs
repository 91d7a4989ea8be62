using System.Globalization;

namespace Stir.Encrypted.Benchmarks.Report;

/// <summary>Number formatting for the Markdown report (invariant culture, units chosen per value).</summary>
internal static class Format
{
    public static string Time(double nanoseconds) => nanoseconds switch
    {
        double.NaN => "—",
        < 1_000 => $"{N(nanoseconds, "0.0")} ns",
        < 1_000_000 => $"{N(nanoseconds / 1_000, "0.00")} µs",
        < 1_000_000_000 => $"{N(nanoseconds / 1_000_000, "0.00")} ms",
        _ => $"{N(nanoseconds / 1_000_000_000, "0.00")} s",
    };

    public static string Ratio(double ratio) => double.IsNaN(ratio) ? "—" : N(ratio, ratio >= 100 ? "#,0" : "0.00");

    public static string Rate(double perSecond) => double.IsNaN(perSecond) ? "—" : N(perSecond, "#,0.0");

    public static string Bytes(long bytes) => bytes switch
    {
        0 => "0 B",
        < 10 * 1024 => $"{bytes} B",
        _ => $"{N(bytes / 1024.0, "#,0.0")} KiB",
    };

    public static string N(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
