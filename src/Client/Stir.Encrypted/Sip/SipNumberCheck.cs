namespace Stir.Encrypted.Sip;

/// <summary>
/// Whether the PASSporTs of a request are about that request: each one's <c>orig</c> is the caller the
/// signaling shows, and its <c>dest</c> the callee (RFC 8224 §6.2 step 2, §12.1; RFC 8946 §4.2). Each
/// mismatch names the PASSporT, the claim, the header field and both values.
/// </summary>
public sealed class SipNumberCheck
{
    internal SipNumberCheck(IReadOnlyList<string> mismatches) => Mismatches = mismatches;

    /// <summary>True when every PASSporT matches the signaling.</summary>
    public bool IsMatch => Mismatches.Count == 0;

    /// <summary>One line per mismatch; empty when <see cref="IsMatch"/>.</summary>
    public IReadOnlyList<string> Mismatches { get; }

    /// <summary><c>match</c>, or the mismatches joined.</summary>
    public override string ToString() => IsMatch ? "match" : string.Join("; ", Mismatches);
}
