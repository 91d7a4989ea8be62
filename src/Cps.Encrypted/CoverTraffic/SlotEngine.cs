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

    /// <summary>The <c>Retry-After</c> of a full bucket: a constant, whatever the bucket holds (spec §9 "Arrivals, exactly").</summary>
    public static TimeSpan FullRetryAfter { get; } = TimeSpan.FromSeconds(1);

    public LifetimeLaw Lifetimes => _law;

    /// <summary>
    /// The occupant of each of the <paramref name="slots"/> slots at time <paramref name="t"/>, in slot order; every
    /// occupant carries a cover (<see cref="SlotOccupant.Cover"/>), a real one the cover that follows it.
    /// </summary>
    /// <remarks>
    /// The same work whatever the bucket holds (spec/protocol.md §8 "Retrieve", constant work): every slot walks
    /// its cover timeline from the epoch's anchor to <paramref name="t"/>, needed or not, and a slot that held a
    /// real blob this epoch also walks the segment after it (from its end to <paramref name="t"/>, or only its
    /// first cover while the blob lives). So a slot serving a real blob costs a cover like any other, and the
    /// caller derives every returned cover's bytes, S per class, and discards those of real slots.
    /// </remarks>
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
    /// <remarks>
    /// The free slots are visited in a uniformly random order and the first eligible ones taken, which is a
    /// uniform choice among the eligible slots, and only the visited slots' cover timelines are computed: on a
    /// bucket nobody touched recently a timeline walks dozens of lifetimes from the anchor, and most covers
    /// are eligible, so a store usually computes one or two instead of all sixteen.
    /// </remarks>
    public ArrivalPlan PlanArrivals(BucketKey key, int slots, long anchorUnixMs, BucketState state, long a, int count)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var events = EventsBySlot(slots, state);

        // A slot with a real blob that has not ended by a (even one that starts after a, stored by a node whose
        // clock runs ahead) is not free: real occupancies of a slot never overlap.
        var busy = 0;
        var free = new List<(int Slot, long SegmentStart)>();
        for (var s = 0; s < slots; s++)
        {
            var latestEnd = long.MinValue;
            foreach (var e in events[s])
            {
                latestEnd = Math.Max(latestEnd, e.EndUnixMs);
            }

            if (latestEnd > a)
            {
                busy++;
            }
            else
            {
                free.Add((s, Math.Max(anchorUnixMs, latestEnd)));
            }
        }

        if (busy + count > slots - 1)
        {
            // spec §9 "Arrivals, exactly": a constant wait. The soonest end of a busy slot would tell the storer how
            // long someone else's real blob still lives (issue 13).
            return ArrivalPlan.BucketFull(FullRetryAfter);
        }

        // Fisher-Yates over the free slots, stopping once count eligible slots are found.
        var chosen = new List<int>(count);
        var births = new long[free.Count];
        var visited = 0;
        for (; visited < free.Count && chosen.Count < count; visited++)
        {
            var j = visited + _uniform(free.Count - visited);
            (free[visited], free[j]) = (free[j], free[visited]);
            var (slot, segmentStart) = free[visited];
            births[visited] = _schedule.CoverAt(key, slot, segmentStart, a).BirthUnixMs;
            if (a - births[visited] >= _law.MinMs)
            {
                chosen.Add(slot);
            }
        }

        // Not enough covers have reached the minimum lifetime (every free slot was visited): take the oldest
        // of the rest, a visible (and counted) truncation.
        var truncations = 0;
        while (chosen.Count < count)
        {
            var oldest = -1;
            for (var i = 0; i < free.Count; i++)
            {
                if (!chosen.Contains(free[i].Slot) && (oldest < 0 || births[i] < births[oldest]))
                {
                    oldest = i;
                }
            }

            chosen.Add(free[oldest].Slot);
            truncations++;
        }

        return new ArrivalPlan(false, chosen, truncations, TimeSpan.Zero);
    }

    private SlotOccupant OccupantAt(BucketKey key, int slot, long anchorUnixMs, List<SlotEvent> events, IReadOnlyList<StoredBlob> live, long t)
    {
        // Walked for every slot, also when a later segment is the one served (constant work, above).
        var anchorCover = _schedule.CoverAt(key, slot, anchorUnixMs, t);
        var segmentStart = anchorUnixMs;
        foreach (var e in events)
        {
            if (e.StartUnixMs <= t && t < e.EndUnixMs)
            {
                // The cover that follows the real occupancy: served when the store has already let the blob go
                // (its clock is slightly ahead of ours), as the store's view of time says; else derived and discarded.
                var following = _schedule.CoverAt(key, slot, e.EndUnixMs, e.EndUnixMs);
                foreach (var blob in live)
                {
                    if (blob.Slot == slot && blob.StartUnixMs == e.StartUnixMs)
                    {
                        return new SlotOccupant(slot, blob, following);
                    }
                }

                return new SlotOccupant(slot, null, following);
            }

            if (e.EndUnixMs <= t)
            {
                segmentStart = Math.Max(segmentStart, e.EndUnixMs);
            }
        }

        return new SlotOccupant(slot, null, segmentStart == anchorUnixMs ? anchorCover : _schedule.CoverAt(key, slot, segmentStart, t));
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
