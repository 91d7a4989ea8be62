using System.Security.Cryptography;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// The slot model of spec/protocol.md §9: which occupant every slot of a bucket serves at a time, and which
/// slots arriving real blobs take. Real occupancies come from the store (<see cref="BucketState"/>); cover
/// occupancies are computed by <see cref="CoverSchedule"/> in the gaps between them.
/// </summary>
internal sealed class SlotEngine
{
    private readonly CoverSchedule _schedule;
    private readonly LifetimeLaw _law;
    private readonly Func<int, int> _uniform;

    public SlotEngine(CoverSchedule schedule, LifetimeLaw law)
        : this(schedule, law, RandomNumberGenerator.GetInt32)
    {
    }

    /// <summary>For tests: <paramref name="uniform"/>(n) returns a uniform integer in [0, n).</summary>
    internal SlotEngine(CoverSchedule schedule, LifetimeLaw law, Func<int, int> uniform)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(law);
        ArgumentNullException.ThrowIfNull(uniform);
        _schedule = schedule;
        _law = law;
        _uniform = uniform;
    }

    public LifetimeLaw Lifetimes => _law;

    /// <summary>The occupant of each of the <paramref name="slots"/> slots at time <paramref name="t"/>, in slot order.</summary>
    public SlotOccupant[] OccupantsAt(BucketKey key, int slots, long anchorUnixMs, BucketState state, long t)
    {
        ArgumentNullException.ThrowIfNull(state);
        var events = EventsBySlot(slots, state);
        var occupants = new SlotOccupant[slots];
        for (var s = 0; s < slots; s++)
        {
            occupants[s] = OccupantAt(key, s, anchorUnixMs, events[s], state.LiveBlobs, t);
        }

        return occupants;
    }

    /// <summary>
    /// Chooses a slot for each of <paramref name="count"/> real blobs arriving at <paramref name="a"/>: uniformly
    /// among the free slots whose cover has lived at least the minimum, else the free slot with the oldest
    /// cover (a truncation, counted). Full when fewer than one cover would remain.
    /// </summary>
    public ArrivalPlan PlanArrivals(BucketKey key, int slots, long anchorUnixMs, BucketState state, long a, int count)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var events = EventsBySlot(slots, state);

        // A slot with a real blob that has not ended by a (even one that starts after a, stored by a node whose
        // clock runs ahead) is not free: real occupancies of a slot never overlap.
        var busyEnds = new List<long>();
        var free = new List<(int Slot, long Birth)>();
        for (var s = 0; s < slots; s++)
        {
            var latestEnd = long.MinValue;
            foreach (var e in events[s])
            {
                latestEnd = Math.Max(latestEnd, e.EndUnixMs);
            }

            if (latestEnd > a)
            {
                busyEnds.Add(latestEnd);
                continue;
            }

            var segmentStart = Math.Max(anchorUnixMs, latestEnd);
            free.Add((s, _schedule.CoverAt(key, s, segmentStart, a).BirthUnixMs));
        }

        if (busyEnds.Count + count > slots - 1)
        {
            var soonest = busyEnds.Count == 0 ? a + 1000 : busyEnds.Min();
            return ArrivalPlan.BucketFull(TimeSpan.FromMilliseconds(Math.Max(soonest - a, 1000)));
        }

        var eligible = free.Where(f => a - f.Birth >= _law.MinMs).Select(f => f.Slot).ToList();
        var chosen = new List<int>(count);
        var truncations = 0;
        for (var i = 0; i < count; i++)
        {
            int slot;
            if (eligible.Count > 0)
            {
                var pick = _uniform(eligible.Count);
                slot = eligible[pick];
                eligible.RemoveAt(pick);
            }
            else
            {
                // No cover has reached the minimum lifetime: take the oldest, a visible (and counted) truncation.
                slot = free.Where(f => !chosen.Contains(f.Slot)).MinBy(f => f.Birth).Slot;
                truncations++;
            }

            chosen.Add(slot);
        }

        return new ArrivalPlan(false, chosen, truncations, TimeSpan.Zero);
    }

    private SlotOccupant OccupantAt(BucketKey key, int slot, long anchorUnixMs, List<SlotEvent> events, IReadOnlyList<StoredBlob> live, long t)
    {
        var segmentStart = anchorUnixMs;
        foreach (var e in events)
        {
            if (e.StartUnixMs <= t && t < e.EndUnixMs)
            {
                foreach (var blob in live)
                {
                    if (blob.Slot == slot && blob.StartUnixMs == e.StartUnixMs)
                    {
                        return new SlotOccupant(slot, blob, default);
                    }
                }

                // The store has already let the blob go (its clock is slightly ahead of ours): serve the cover
                // that follows it, as the store's view of time says.
                return new SlotOccupant(slot, null, _schedule.CoverAt(key, slot, e.EndUnixMs, e.EndUnixMs));
            }

            if (e.EndUnixMs <= t)
            {
                segmentStart = Math.Max(segmentStart, e.EndUnixMs);
            }
        }

        return new SlotOccupant(slot, null, _schedule.CoverAt(key, slot, segmentStart, t));
    }

    private static List<SlotEvent>[] EventsBySlot(int slots, BucketState state)
    {
        var bySlot = new List<SlotEvent>[slots];
        for (var s = 0; s < slots; s++)
        {
            bySlot[s] = [];
        }

        foreach (var e in state.Events)
        {
            if ((uint)e.Slot < (uint)slots)
            {
                bySlot[e.Slot].Add(e);
            }
        }

        // The contract lists live blobs among the events; accept a store that lists them only as blobs.
        foreach (var blob in state.LiveBlobs)
        {
            if ((uint)blob.Slot < (uint)slots && !bySlot[blob.Slot].Contains(blob.Event))
            {
                bySlot[blob.Slot].Add(blob.Event);
            }
        }

        return bySlot;
    }
}
