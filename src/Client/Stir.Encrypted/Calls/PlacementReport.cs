namespace Stir.Encrypted.Calls;

/// <summary>What <see cref="CallPlacer.StoreAsync"/> did: whether the PASSporTs are at the CPS, and each step with its time.</summary>
public sealed class PlacementReport
{
    internal PlacementReport(bool stored, string detail, Uri? cps, ulong epoch, int blobs, IReadOnlyList<string> passports, IReadOnlyList<CallStep> steps)
    {
        Stored = stored;
        Detail = detail;
        Cps = cps;
        Epoch = epoch;
        Blobs = blobs;
        Passports = passports;
        Steps = steps;
    }

    /// <summary>True when the CPS acknowledged the call's blob (sealed to every key holder).</summary>
    public bool Stored { get; }

    /// <summary>What happened, in one line (why not, when not stored).</summary>
    public string Detail { get; }

    /// <summary>The CPS used, if one was found.</summary>
    public Uri? Cps { get; }

    /// <summary>The epoch stored under.</summary>
    public ulong Epoch { get; }

    /// <summary>How many blobs were stored: 1, or ⌈H/R⌉ for more key holders than a blob has stanzas (spec/protocol.md §4).</summary>
    public int Blobs { get; }

    /// <summary>The PASSporTs stored (full form).</summary>
    public IReadOnlyList<string> Passports { get; }

    /// <summary>
    /// What changed in the CPS's configuration since the one accepted before (spec/protocol.md §7 "Change report"),
    /// when this call's fetch found a change; null otherwise. Also in the <c>config</c> step.
    /// </summary>
    public Cps.CpsConfigurationChange? ConfigurationChange { get; internal set; }

    /// <summary>The steps and their durations.</summary>
    public IReadOnlyList<CallStep> Steps { get; }

    /// <summary>The total time of all steps.</summary>
    public TimeSpan Total => Steps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);
}
