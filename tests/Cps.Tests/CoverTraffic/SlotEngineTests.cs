using System.Security.Cryptography;
using Stir.Encrypted.CpsService.CoverTraffic;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.Cps.Tests.CoverTraffic;

public sealed class SlotEngineTests
{
    private const long Anchor = 1_000_000;
    private static readonly BucketKey Key = new(525960, 2048, 0x0abc);
    private static readonly LifetimeLaw Law = new(RetentionPolicy.Default);

    [Fact]
    public void OccupantsAt_EmptyBucket_AreCoversLivingAtThatTime()
    {
        var engine = Engine();
        for (var t = Anchor; t < Anchor + 600_000; t += 777)
        {
            var occupants = engine.OccupantsAt(Key, 16, Anchor, BucketState.Empty, t);

            Assert.Equal(16, occupants.Length);
            foreach (var o in occupants)
            {
                Assert.False(o.IsReal);
                Assert.InRange(t, o.Cover.BirthUnixMs, o.Cover.EndUnixMs - 1);
                Assert.InRange(o.Cover.EndUnixMs - o.Cover.BirthUnixMs, 20_000, 60_000);
            }
        }
    }

    [Fact]
    public void OccupantsAt_ASlotsCovers_FollowEachOtherWithoutGaps()
    {
        var engine = Engine();
        var cover = engine.OccupantsAt(Key, 4, Anchor, BucketState.Empty, Anchor)[2].Cover;
        Assert.Equal((0, Anchor), (cover.Index, cover.BirthUnixMs));

        for (var i = 1; i < 300; i++)
        {
            var next = engine.OccupantsAt(Key, 4, Anchor, BucketState.Empty, cover.EndUnixMs)[2].Cover;
            Assert.Equal((i, cover.EndUnixMs, Anchor), (next.Index, next.BirthUnixMs, next.SegmentStartUnixMs));
            cover = next;
        }
    }

    [Fact]
    public void OccupantsAt_SameInputsOnAnotherEngine_AreTheSame()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var state = new BucketState(1, [new SlotEvent(3, Anchor + 50_000, Anchor + 80_000)], []);

        var a = Engine(key).OccupantsAt(Key, 16, Anchor, state, Anchor + 120_000);
        var b = Engine(key).OccupantsAt(Key, 16, Anchor, state, Anchor + 120_000);

        Assert.Equal(a, b);
    }

    [Fact]
    public void OccupantsAt_AfterARealBlobEnds_StartsANewCoverSegmentAtItsEnd()
    {
        var engine = Engine();
        var blob = new StoredBlob(5, Anchor + 100_000, Anchor + 125_000, new byte[2048]);
        var state = new BucketState(1, [blob.Event], [blob]);

        var during = engine.OccupantsAt(Key, 16, Anchor, state, Anchor + 124_999)[5];
        var after = engine.OccupantsAt(Key, 16, Anchor, state, Anchor + 125_000)[5];
        var before = engine.OccupantsAt(Key, 16, Anchor, state, Anchor + 99_999)[5];
        var unaffected = engine.OccupantsAt(Key, 16, Anchor, BucketState.Empty, Anchor + 99_999)[5];

        Assert.Same(blob, during.Real);
        Assert.Equal((Anchor + 125_000, 0, Anchor + 125_000), (after.Cover.SegmentStartUnixMs, after.Cover.Index, after.Cover.BirthUnixMs));
        Assert.Equal(unaffected, before); // an arrival never rewrites what was served before it
    }

    [Fact]
    public void OccupantsAt_ARealSlot_CarriesTheCoverThatWillFollowIt()
    {
        // The retrieval derives this cover and discards it, so a slot serving a real blob costs what a cover slot costs.
        var engine = Engine();
        var blob = new StoredBlob(5, Anchor + 100_000, Anchor + 125_000, new byte[2048]);
        var state = new BucketState(1, [blob.Event], [blob]);

        var during = engine.OccupantsAt(Key, 16, Anchor, state, Anchor + 110_000)[5];
        var after = engine.OccupantsAt(Key, 16, Anchor, state, Anchor + 125_000)[5];

        Assert.Same(blob, during.Real);
        Assert.Equal(after.Cover, during.Cover);
    }

    [Fact]
    public void PlanArrivals_ChoosesOnlySlotsWhoseCoverReachedTheMinimum()
    {
        var engine = Engine();
        var random = new Random(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var a = Anchor + 500_000 + random.Next(0, 3_000_000);
            var occupants = engine.OccupantsAt(Key, 16, Anchor, BucketState.Empty, a);
            var eligible = occupants.Where(o => a - o.Cover.BirthUnixMs >= 20_000).Select(o => o.Slot).ToHashSet();

            var plan = engine.PlanArrivals(Key, 16, Anchor, BucketState.Empty, a, 1);

            Assert.False(plan.Full);
            if (eligible.Count > 0)
            {
                Assert.Contains(Assert.Single(plan.Slots), eligible);
                Assert.Equal(0, plan.Truncations);
            }
        }
    }

    [Fact]
    public void PlanArrivals_PicksUniformlyAmongEligibleSlots()
    {
        // The engine visits free slots in a random order and stops at the first eligible ones; the choice must
        // still be uniform over the eligible slots and never fall on an ineligible one while eligible ones exist.
        var random = new Random(20261127);
        var engine = new SlotEngine(new CoverSchedule(new byte[32], Law), Law, random.Next);
        var a = Anchor + 1_234_567;
        var eligible = engine.OccupantsAt(Key, 16, Anchor, BucketState.Empty, a).Where(o => a - o.Cover.BirthUnixMs >= 20_000).Select(o => o.Slot).ToList();
        Assert.InRange(eligible.Count, 2, 15);

        const int plans = 20_000;
        var counts = new int[16];
        for (var i = 0; i < plans; i++)
        {
            var plan = engine.PlanArrivals(Key, 16, Anchor, BucketState.Empty, a, 1);
            Assert.Equal(0, plan.Truncations);
            counts[Assert.Single(plan.Slots)]++;
        }

        // Chi-square over the eligible slots: with k − 1 ≤ 14 degrees of freedom, 40 is beyond p = 0.0003.
        var expected = (double)plans / eligible.Count;
        var chiSquare = eligible.Sum(s => Math.Pow(counts[s] - expected, 2) / expected);
        Assert.True(chiSquare < 40, $"chi-square {chiSquare:F1} over {eligible.Count} eligible slots");
        Assert.Equal(plans, eligible.Sum(s => counts[s]));

        // Two at once: two distinct eligible slots.
        var pair = engine.PlanArrivals(Key, 16, Anchor, BucketState.Empty, a, 2);
        Assert.Equal(2, pair.Slots.Distinct().Count());
        Assert.All(pair.Slots, s => Assert.Contains(s, eligible));
    }

    [Fact]
    public void PlanArrivals_WhenNoCoverReachedTheMinimum_TakesTheOldestAndCountsATruncation()
    {
        var engine = Engine();
        var found = false;
        for (var a = Anchor + 100_000; a < Anchor + 2_000_000 && !found; a += 1000)
        {
            var occupants = engine.OccupantsAt(Key, 2, Anchor, BucketState.Empty, a);
            if (occupants.All(o => a - o.Cover.BirthUnixMs < 20_000))
            {
                var oldest = occupants.MinBy(o => o.Cover.BirthUnixMs).Slot;
                var plan = engine.PlanArrivals(Key, 2, Anchor, BucketState.Empty, a, 1);
                Assert.Equal(oldest, Assert.Single(plan.Slots));
                Assert.Equal(1, plan.Truncations);
                found = true;
            }
        }

        Assert.True(found, "no instant without an eligible cover was found");
    }

    [Fact]
    public void PlanArrivals_WithSlotsMinusOneRealBlobsLive_IsFull_WithAConstantWait()
    {
        var engine = Engine();
        var a = Anchor + 400_000;
        var events = new[] { new SlotEvent(0, a - 5000, a + 30_000), new SlotEvent(1, a - 3000, a + 12_500), new SlotEvent(3, a - 1000, a + 50_000) };

        var plan = engine.PlanArrivals(Key, 4, Anchor, new BucketState(3, events, []), a, 1);
        var fits = engine.PlanArrivals(Key, 4, Anchor, new BucketState(2, events[..2], []), a, 1);
        var tooMany = engine.PlanArrivals(Key, 4, Anchor, new BucketState(2, events[..2], []), a, 2);

        Assert.True(plan.Full);
        // Not the soonest end of a busy slot (12.5 s here): that would tell the storer a real blob's remaining life.
        Assert.Equal(TimeSpan.FromSeconds(1), plan.RetryAfter);
        Assert.False(fits.Full);
        Assert.Contains(Assert.Single(fits.Slots), new[] { 2, 3 });
        Assert.True(tooMany.Full);
        Assert.Equal(TimeSpan.FromSeconds(1), tooMany.RetryAfter);
    }

    [Fact]
    public void PlanArrivals_NeverTakesASlotWhoseRealBlobStartsLater()
    {
        // A node whose clock runs behind sees a real blob that starts after its "now": the slot is still busy.
        var engine = Engine();
        var a = Anchor + 700_000;
        var future = new SlotEvent(2, a + 2000, a + 40_000);

        for (var i = 0; i < 50; i++)
        {
            var plan = engine.PlanArrivals(Key, 3, Anchor, new BucketState(1, [future], []), a + i, 1);
            Assert.DoesNotContain(2, plan.Slots);
        }
    }

    [Fact]
    public void PlanArrivals_ManyBlobs_TakeDistinctFreeSlots()
    {
        var engine = Engine();
        var a = Anchor + 900_000;
        var busy = new SlotEvent(7, a - 1000, a + 30_000);

        var plan = engine.PlanArrivals(Key, 16, Anchor, new BucketState(1, [busy], []), a, 14);

        Assert.Equal(14, plan.Slots.Distinct().Count());
        Assert.DoesNotContain(7, plan.Slots);
    }

    [Fact]
    [Trait("Claim", "TM-05")]
    public void PlanArrivals_TruncationRate_MatchesTheStationaryEstimate()
    {
        // An arrival truncates when every free cover is younger than the minimum. A stationary cover is younger
        // than m with probability m / E[L], so an empty bucket of 16 slots truncates with (m / E[L])^16. Trials
        // fall in the first five minutes a bucket can be observed (eight maximum lifetimes after its anchor), so
        // this also shows that the warm-up has reached the stationary regime by then.
        var engine = Engine();
        var random = new Random(99);
        const int trials = 40_000;
        var truncations = 0;
        for (var i = 0; i < trials; i++)
        {
            // A fresh bucket for each trial, so that trials are independent realisations of the cover process.
            var key = new BucketKey(525960, 2048, (uint)i);
            var a = Anchor + (8 * 60_000) + random.NextInt64(0, 300_000);
            truncations += engine.PlanArrivals(key, 16, Anchor, BucketState.Empty, a, 1).Truncations;
        }

        var meanLifetime = 20_000 + (10_000 * (1 - Math.Exp(-4)));
        var expected = Math.Pow(20_000 / meanLifetime, 16);
        var sigma = Math.Sqrt(expected * (1 - expected) / trials);
        Assert.InRange(truncations / (double)trials, expected - (4 * sigma), expected + (4 * sigma));
    }

    private static SlotEngine Engine(byte[]? coverKey = null) => new(new CoverSchedule(coverKey ?? Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), Law), Law);
}
