using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// When cover blobs are born and end (spec/protocol.md §9 "Determinism"): in a cover segment of a slot
/// (from the epoch's anchor or from the end of a real blob, until the next real arrival), cover <c>j</c>
/// lives <c>L_j</c>, the lifetime drawn from the segment's keystream, and the next cover is born when it
/// ends. Everything here is a function of <c>K_cover</c> and the segment's identity, so every node computes
/// the same schedule before and after a restart.
/// </summary>
internal sealed class CoverSchedule
{
    private readonly byte[] _coverKey;
    private readonly LifetimeLaw _law;
    private readonly BoundedLruCache<(BucketKey, int, long), SegmentTimeline> _timelines;

    public CoverSchedule(ReadOnlySpan<byte> coverKey, LifetimeLaw law, int cacheCapacity)
    {
        if (coverKey.Length != CoverDerivation.CoverKeySize)
        {
            throw new ArgumentException($"the cover key is {CoverDerivation.CoverKeySize} bytes", nameof(coverKey));
        }

        ArgumentNullException.ThrowIfNull(law);
        _coverKey = coverKey.ToArray();
        _law = law;
        _timelines = new(cacheCapacity);
    }

    /// <summary>The cover that the segment starting at <paramref name="segmentStartUnixMs"/> serves at <paramref name="t"/>.</summary>
    public CoverOccupant CoverAt(BucketKey bucket, int slot, long segmentStartUnixMs, long t)
    {
        if (t < segmentStartUnixMs)
        {
            throw new ArgumentOutOfRangeException(nameof(t), "the time is before the segment starts");
        }

        var timeline = Timeline(bucket, slot, segmentStartUnixMs);
        var (index, birth, end) = timeline.CoverAt(t);
        return new CoverOccupant(bucket, slot, segmentStartUnixMs, index, birth, end);
    }

    private SegmentTimeline Timeline(BucketKey bucket, int slot, long segmentStartUnixMs)
    {
        var id = (bucket, slot, segmentStartUnixMs);
        if (_timelines.TryGet(id, out var timeline))
        {
            return timeline;
        }

        var segmentKey = new byte[32];
        CoverDerivation.SegmentKey(_coverKey, bucket, slot, segmentStartUnixMs, segmentKey);
        return _timelines.GetOrAdd(id, new SegmentTimeline(segmentKey, segmentStartUnixMs, _law));
    }

    /// <summary>The births of one segment, extended one lifetime at a time as later times are asked for.</summary>
    private sealed class SegmentTimeline
    {
        private readonly byte[] _segmentKey;
        private readonly LifetimeLaw _law;
        private readonly List<long> _births; // _births[j] = birth of cover j = end of cover j − 1
        private readonly byte[] _keystream = new byte[CoverDerivation.ChunkSize];
        private readonly long[] _lifetimes = new long[4];
        private readonly Lock _lock = new();

        public SegmentTimeline(byte[] segmentKey, long start, LifetimeLaw law)
        {
            _segmentKey = segmentKey;
            _law = law;
            // A slot renews its cover every ~30 s and the anchor is ~8 min before the epoch: ~130 births by the
            // epoch's end at the default retention; starting there avoids five regrowths of a cold timeline.
            _births = new List<long>(160) { start };
        }

        public (int Index, long Birth, long End) CoverAt(long t)
        {
            lock (_lock)
            {
                while (_births[^1] <= t)
                {
                    AppendNextBirth();
                }

                // The last birth ≤ t: births are strictly increasing (every lifetime ≥ 1 s).
                var i = _births.BinarySearch(t);
                var index = i >= 0 ? i : ~i - 1;
                return (index, _births[index], _births[index + 1]);
            }
        }

        // Draw j = _births.Count − 1 is the lifetime of cover j; a new keystream chunk every 128 draws, and the
        // lifetimes four draws at a time (128 is a multiple of 4), interleaved for speed (LifetimeLaw.FromBytes4).
        private void AppendNextBirth()
        {
            var j = _births.Count - 1;
            var offset = j % CoverDerivation.DrawsPerChunk;
            if (offset == 0)
            {
                CoverDerivation.KeystreamChunk(_segmentKey, j / CoverDerivation.DrawsPerChunk, _keystream);
            }

            if (offset % 4 == 0)
            {
                _law.FromBytes4(_keystream.AsSpan(offset * 8, 32), _lifetimes);
            }

            _births.Add(_births[^1] + _lifetimes[offset % 4]);
        }
    }
}
