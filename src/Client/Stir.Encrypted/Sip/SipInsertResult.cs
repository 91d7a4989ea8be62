namespace Stir.Encrypted.Sip;

/// <summary>
/// A new INVITE carrying PASSporTs retrieved out of band in Identity header fields (RFC 8816 §5.3), the
/// values inserted, the PASSporTs that could not be carried and why, and whether the PASSporTs match the
/// INVITE's numbers.
/// </summary>
public sealed class SipInsertResult
{
    internal SipInsertResult(SipInvite invite, IReadOnlyList<string> identityValues, IReadOnlyList<SipIdentityProblem> skipped, SipNumberCheck numberCheck)
    {
        Invite = invite;
        IdentityValues = identityValues;
        Skipped = skipped;
        NumberCheck = numberCheck;
    }

    /// <summary>The new INVITE.</summary>
    public SipInvite Invite { get; }

    /// <summary>The Identity header values added (PASSporTs the template already carried are not repeated).</summary>
    public IReadOnlyList<string> IdentityValues { get; }

    /// <summary>The PASSporTs that could not be carried in SIP, and why.</summary>
    public IReadOnlyList<SipIdentityProblem> Skipped { get; }

    /// <summary>Whether every PASSporT now in the INVITE matches its From/To (and Request-URI).</summary>
    public SipNumberCheck NumberCheck { get; }
}
