using Stir.Encrypted.Cps;
using Stir.Encrypted.CpsService.CoverTraffic;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.Benchmarks.Flows;

/// <summary>
/// The CPS's per-request cover work (spec/protocol.md §9) without HTTP or the store, for the <c>costs</c> mode:
/// each call uses a bucket never seen before, as a retrieval over uniformly drawn buckets almost always does.
/// </summary>
internal sealed class CoverCosts
{
    private const int Slots = 16;
    private const int BlobSize = 2048;

    private readonly byte[] _coverKey = new byte[CoverDerivation.CoverKeySize];
    private readonly EpochRules _epochs;
    private readonly SlotEngine _engine;
    private readonly CoverSchedule _schedule;
    private readonly DerivedCoverBlobFactory _factory = new(new SodiumCoverKeyAgreement());
    private readonly byte[] _blob = new byte[BlobSize];
    private readonly ulong _epoch;
    private readonly long _anchor;
    private readonly long _now;
    private readonly LifetimeLaw _law = new(RetentionPolicy.Default);
    private uint _bucket;
    private ulong _r;
    private readonly byte[] _draws = new byte[32];
    private readonly long[] _lifetimes = new long[4];

    private CoverCosts()
    {
        var retention = RetentionPolicy.Default;
        var law = new LifetimeLaw(retention);
        _epochs = new EpochRules(3600, retention, 5);
        _schedule = new CoverSchedule(_coverKey, law);
        _engine = new SlotEngine(_schedule, law);
        _epoch = 493_000;
        _anchor = _epochs.AnchorUnixMs(_epoch);
        _now = _epochs.StartUnixMs(_epoch) + (30 * 60 * 1000);
    }

    public static CoverCosts Create() => new();

    public void ColdTimeline() => _schedule.CoverAt(NextBucket(), 0, _anchor, _now);

    public void CoverBlob()
    {
        var occupant = _schedule.CoverAt(new BucketKey(_epoch, BlobSize, 1), 0, _anchor, _now);
        _factory.Write(_coverKey, occupant with { Index = (int)(++_bucket & 0xFFFF) }, _blob);
    }

    public void ColdRetrieval()
    {
        var key = NextBucket();
        foreach (var occupant in _engine.OccupantsAt(key, Slots, _anchor, BucketState.Empty, _now))
        {
            _factory.Write(_coverKey, occupant.Cover, _blob);
        }
    }

    public void Draw() => _law.FromUniform(++_r * 0x9E3779B97F4A7C15UL);

    public void Draw4()
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(_draws, ++_r * 0x9E3779B97F4A7C15UL);
        _law.FromBytes4(_draws, _lifetimes);
    }

    public void ColdStorePlan() => _engine.PlanArrivals(NextBucket(), Slots, _anchor, BucketState.Empty, _now, 1);

    private BucketKey NextBucket() => new(_epoch, BlobSize, ++_bucket);
}
