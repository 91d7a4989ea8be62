using System.Globalization;

namespace Stir.Encrypted.Benchmarks.Report;

/// <summary>A target on a ratio: at most (<c>≤</c>) or at least (<c>≥</c>) a bound.</summary>
internal sealed record Target(bool AtMost, double Bound)
{
    public static Target Max(double bound) => new(true, bound);

    public static Target Min(double bound) => new(false, bound);

    public override string ToString() => $"{(AtMost ? "≤" : "≥")} {Bound.ToString("0.00", CultureInfo.InvariantCulture)}";

    public bool Met(double ratio) => AtMost ? ratio <= Bound : ratio >= Bound;

    /// <summary>PASS, or MISS with how far the ratio is from the bound, relative to the bound.</summary>
    public string Verdict(double ratio)
    {
        if (double.IsNaN(ratio))
        {
            return "NO DATA";
        }

        if (Met(ratio))
        {
            return "PASS";
        }

        var off = AtMost ? (ratio / Bound) - 1 : 1 - (ratio / Bound);
        return $"MISS by {(off * 100).ToString("0.#", CultureInfo.InvariantCulture)} %";
    }
}

/// <summary>One line of the summary: a measured ratio against its target.</summary>
internal sealed record TargetResult(string Section, string What, double Ratio, Target Target)
{
    public string Verdict => Target.Verdict(Ratio);
}
