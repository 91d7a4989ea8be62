namespace Stir.Encrypted.Passports;

/// <summary>
/// The outcome of verifying the PASSporTs of one call together (RFC 8224 §6.2, RFC 8946 §4.2): each
/// PASSporT's own verdict, and whether the div chains link up to their originals and end at the called
/// number. Valid only when everything is.
/// </summary>
public sealed class PassportCallVerdict
{
    internal PassportCallVerdict(IReadOnlyList<PassportVerdict> verdicts, PassportRule rule, string message, int? failedIndex)
    {
        Verdicts = verdicts;
        Rule = rule;
        Message = message;
        FailedIndex = failedIndex;
    }

    /// <summary>True when every PASSporT is valid, every div chain is complete, and the call reached its expected destination.</summary>
    public bool IsValid => Rule == PassportRule.None;

    /// <summary>The first rule that failed (a PASSporT's own, or a chain rule), or <see cref="PassportRule.None"/>.</summary>
    public PassportRule Rule { get; }

    /// <summary>What was found; for a failure, which PASSporT or which link of which chain, and the values.</summary>
    public string Message { get; }

    /// <summary>The 0-based index of the PASSporT at fault (for a link, the diverting one), if any.</summary>
    public int? FailedIndex { get; }

    /// <summary>Each PASSporT's own verdict, in the order of the set.</summary>
    public IReadOnlyList<PassportVerdict> Verdicts { get; }

    /// <summary><c>valid: ...</c> or <c>Rule: message</c>.</summary>
    public override string ToString() => IsValid ? $"valid: {Message}" : $"{Rule}: {Message}";
}
