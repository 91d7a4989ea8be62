namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// Where arriving real blobs go (spec/protocol.md §9 "Arrivals"): one slot per blob, or, when the bucket
/// cannot take them without leaving fewer than one cover, <see cref="Full"/> with a constant wait
/// (<see cref="SlotEngine.FullRetryAfter"/>), never the time until one of the bucket's real blobs ends.
/// </summary>
internal sealed record ArrivalPlan(bool Full, IReadOnlyList<int> Slots, int Truncations, TimeSpan RetryAfter)
{
    public static ArrivalPlan BucketFull(TimeSpan retryAfter) => new(true, [], 0, retryAfter);
}
