using Stir.Encrypted.Cps;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// Which epochs the CPS accepts at a time, and the span of time over which a bucket of an epoch exists
/// (spec/protocol.md §8 "Epochs", §9 "Anchor").
/// </summary>
/// <remarks>
/// With E = epochSeconds, M = maxSeconds, s = clockSkewSeconds and e = floor(now / E):
/// a store names e, or e − 1 while now &lt; E·e + s, or e + 1 while now ≥ E·(e + 1) − s;
/// a retrieval names e, or e − 1 while now &lt; E·e + M + 2s, or e + 1 while now ≥ E·(e + 1) − 2s.
/// A bucket of epoch e is therefore observable from E·e − 2s to E·(e + 1) + M + 2s, and its covers are
/// simulated from the anchor E·e − 8M − 2s so that at least eight lifetimes have passed before anyone sees it.
/// </remarks>
internal sealed class EpochRules
{
    private readonly long _epochMs;
    private readonly long _maxMs;
    private readonly long _skewMs;

    public EpochRules(int epochSeconds, RetentionPolicy retention, int clockSkewSeconds)
    {
        ArgumentNullException.ThrowIfNull(retention);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(clockSkewSeconds);
        _epochMs = epochSeconds * 1000L;
        _maxMs = retention.MaxSeconds * 1000L;
        _skewMs = clockSkewSeconds * 1000L;
    }

    /// <summary>Lifetimes of warm-up before a bucket can be observed.</summary>
    public const int WarmUpLifetimes = 8;

    public ulong EpochAt(long unixMs) => (ulong)(unixMs / _epochMs);

    public long StartUnixMs(ulong epoch) => checked((long)epoch * _epochMs);

    /// <summary>The instant cover segments of the epoch's buckets start from: E·e − 8M − 2s.</summary>
    public long AnchorUnixMs(ulong epoch) => StartUnixMs(epoch) - (WarmUpLifetimes * _maxMs) - (2 * _skewMs);

    /// <summary>After this instant nobody can retrieve the epoch's buckets, so the store drops them.</summary>
    public long BucketExpiresUnixMs(ulong epoch) => StartUnixMs(epoch + 1) + _maxMs + (2 * _skewMs);

    /// <summary>The epochs a store may name at <paramref name="nowUnixMs"/>.</summary>
    public (ulong First, ulong Last) StoreRange(long nowUnixMs) => Range(nowUnixMs, _skewMs, _skewMs);

    /// <summary>The epochs a retrieval may name at <paramref name="nowUnixMs"/>.</summary>
    public (ulong First, ulong Last) RetrieveRange(long nowUnixMs) => Range(nowUnixMs, _maxMs + (2 * _skewMs), 2 * _skewMs);

    private (ulong First, ulong Last) Range(long nowUnixMs, long afterStartMs, long beforeEndMs)
    {
        var e = EpochAt(nowUnixMs);
        var first = e > 0 && nowUnixMs < StartUnixMs(e) + afterStartMs ? e - 1 : e;
        var last = nowUnixMs >= StartUnixMs(e + 1) - beforeEndMs ? e + 1 : e;
        return (first, last);
    }
}
