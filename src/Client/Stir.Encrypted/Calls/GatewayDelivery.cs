using Stir.Encrypted.Sip;

namespace Stir.Encrypted.Calls;

/// <summary>What <see cref="GatewayDeliver.DeliverAsync"/> found for a call from the PSTN, and the INVITE to send on.</summary>
public sealed class GatewayDelivery
{
    internal GatewayDelivery(CallVerdict? verdict, SipInvite invite, SipInsertResult? inserted, string detail)
    {
        Verdict = verdict;
        Invite = invite;
        Inserted = inserted;
        Detail = detail;
    }

    /// <summary>The verdict on the call; null when the INVITE names no telephone numbers to look up.</summary>
    public CallVerdict? Verdict { get; }

    /// <summary>The INVITE to send on: with the verified PASSporTs in Identity header fields, or as it came.</summary>
    public SipInvite Invite { get; }

    /// <summary>The insertion (values added, PASSporTs that cannot be carried in SIP), when the call verified.</summary>
    public SipInsertResult? Inserted { get; }

    /// <summary>The Identity header values added to the INVITE (empty when none).</summary>
    public IReadOnlyList<string> IdentityValues => Inserted?.IdentityValues ?? [];

    /// <summary>What happened, in one line.</summary>
    public string Detail { get; }
}
