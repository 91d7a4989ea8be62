using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The verification service's answer about one incoming call (RFC 8224 §6.2.2): a <see cref="Verstat"/>, the
/// reason in one line, the PASSporT verdicts behind it, whether the call looks like a replay or substitution,
/// and each step with its time.
/// </summary>
public sealed class CallVerdict
{
    internal CallVerdict(Verstat verstat, string reason, bool suspicious, PassportCallVerdict? passports, IReadOnlyList<string> tokens, IReadOnlyList<CallStep> steps)
    {
        Verstat = verstat;
        Reason = reason;
        Suspicious = suspicious;
        Passports = passports;
        Tokens = tokens;
        Steps = steps;
    }

    /// <summary>The verification status.</summary>
    public Verstat Verstat { get; }

    /// <summary>Why, in one line.</summary>
    public string Reason { get; }

    /// <summary>
    /// True when a PASSporT for this call verified but had already been used by an earlier call within its
    /// window: the RFC 8816 §7.4 substitution (or a replay). The verstat is then failed.
    /// </summary>
    public bool Suspicious { get; }

    /// <summary>The verdict on the PASSporT set that decided, if one was found.</summary>
    public PassportCallVerdict? Passports { get; }

    /// <summary>The PASSporTs found for this call (full form), for a gateway to re-insert into SIP.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>
    /// What changed in the CPS's configuration since the one accepted before (spec/protocol.md §7 "Change report"),
    /// when this verification's fetch found a change; null otherwise. Also in the <c>route</c> step.
    /// </summary>
    public Cps.CpsConfigurationChange? ConfigurationChange { get; internal set; }

    /// <summary>The steps and their durations.</summary>
    public IReadOnlyList<CallStep> Steps { get; }

    /// <summary>The total time of all steps.</summary>
    public TimeSpan Total => Steps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);

    /// <inheritdoc/>
    public override string ToString() => $"{Verstat.ToToken()}{(Suspicious ? " (suspicious)" : string.Empty)}: {Reason}";
}
