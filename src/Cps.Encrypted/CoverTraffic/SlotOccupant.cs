using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// What one slot serves at a given time: a real blob or a cover blob (spec/protocol.md §9 "Slots"). <see cref="Cover"/>
/// is the cover served, or, beside a real blob, the cover that will follow it: a retrieval derives it either way, so
/// that its work does not depend on what the bucket holds (§8 "Retrieve").
/// </summary>
internal readonly record struct SlotOccupant(int Slot, StoredBlob? Real, CoverOccupant Cover)
{
    public bool IsReal => Real is not null;

    /// <summary>When the occupant was born (a real blob: when it was stored).</summary>
    public long BirthUnixMs => Real?.StartUnixMs ?? Cover.BirthUnixMs;
}
