using Stir.Encrypted.Sip;

namespace Stir.Encrypted.Calls;

/// <summary>What <see cref="GatewayStore.StoreAsync"/> lifted from the INVITE, and whether and how it was stored.</summary>
public sealed class GatewayStoreReport
{
    internal GatewayStoreReport(SipLiftResult lifted, PlacementReport? placement, bool alreadyStored, string detail)
    {
        Lifted = lifted;
        Placement = placement;
        AlreadyStored = alreadyStored;
        Detail = detail;
    }

    /// <summary>The PASSporTs lifted from the Identity header fields, and those left out with why.</summary>
    public SipLiftResult Lifted { get; }

    /// <summary>The out-of-band store, when one was attempted.</summary>
    public PlacementReport? Placement { get; }

    /// <summary>True when the PASSporTs are at the CPS now: stored by this call.</summary>
    public bool Stored => Placement?.Stored ?? false;

    /// <summary>True when every PASSporT had already been stored by this gateway within its window, so nothing was sent.</summary>
    public bool AlreadyStored { get; }

    /// <summary>What happened, in one line.</summary>
    public string Detail { get; }
}
