using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// One cover blob in the life of a slot (spec/protocol.md §9): the <see cref="Index"/>-th cover of the cover
/// segment that began at <see cref="SegmentStartUnixMs"/> in <see cref="Slot"/> of <see cref="Bucket"/>.
/// (<see cref="Bucket"/>, <see cref="Slot"/>, <see cref="SegmentStartUnixMs"/>, <see cref="Index"/>) is its
/// identity, from which its bytes are derived; <see cref="BirthUnixMs"/> and <see cref="EndUnixMs"/> say when
/// it is served (its natural end; an arrival may end it earlier).
/// </summary>
internal readonly record struct CoverOccupant(BucketKey Bucket, int Slot, long SegmentStartUnixMs, int Index, long BirthUnixMs, long EndUnixMs)
{
    /// <summary>The part of the occupant that names it, for caches.</summary>
    public (BucketKey Bucket, int Slot, long SegmentStartUnixMs, int Index) Identity => (Bucket, Slot, SegmentStartUnixMs, Index);
}
