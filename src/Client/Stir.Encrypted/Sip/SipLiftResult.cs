using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Sip;

/// <summary>
/// What a gateway lifts out of an INVITE for out-of-band storage (RFC 8816 §5.4, §8.3): the PASSporTs of
/// its Identity header fields, full form, and the caller and callee from the signaling.
/// </summary>
public sealed class SipLiftResult
{
    internal SipLiftResult(
        SipCallIdentity orig,
        SipCallIdentity dest,
        SipCallIdentity target,
        PassportSet passports,
        IReadOnlyList<int> sources,
        IReadOnlyList<SipIdentityProblem> problems,
        SipNumberCheck numberCheck)
    {
        Orig = orig;
        Dest = dest;
        Target = target;
        Passports = passports;
        Sources = sources;
        Problems = problems;
        NumberCheck = numberCheck;
    }

    /// <summary>The caller: the first P-Asserted-Identity with a telephone number, else From (RFC 8224 §8).</summary>
    public SipCallIdentity Orig { get; }

    /// <summary>The callee the PASSporT <c>dest</c> mirrors: To (RFC 8224 §4.1).</summary>
    public SipCallIdentity Dest { get; }

    /// <summary>The current target of the call: the Request-URI (RFC 8946 §4.2 step 1), where a retargeted call now goes.</summary>
    public SipCallIdentity Target { get; }

    /// <summary>The PASSporTs lifted, full form, in header order (compact forms rebuilt from the signaling, RFC 8224 §4.1).</summary>
    public PassportSet Passports { get; }

    /// <summary>For each of <see cref="Passports"/>, the 1-based position of the Identity header field it came from.</summary>
    public IReadOnlyList<int> Sources { get; }

    /// <summary>The Identity header fields left out, and why.</summary>
    public IReadOnlyList<SipIdentityProblem> Problems { get; }

    /// <summary>Whether the lifted PASSporTs' orig and dest match the signaling.</summary>
    public SipNumberCheck NumberCheck { get; }
}
