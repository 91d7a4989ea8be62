using System.Security.Cryptography;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Abuse;

/// <summary>
/// The storer ledger of a single node (the LiteDB store, or any store without a cluster of its own): per (bucket,
/// storer tag), the ends of its entries, in this process's memory only. Entries are dropped once ended, when their
/// key is next used and in a sweep of every key every <see cref="SweepEvery"/> operations, so memory stays bounded by
/// the live entries and the keys touched since the last sweep.
/// </summary>
internal sealed class InMemoryStorerLedger : IStorerLedger
{
    private const int SweepEvery = 4096;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<(BucketKey Bucket, string Storer), List<Entry>> _entries = [];
    private int _operations;

    public InMemoryStorerLedger(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>How many (bucket, storer) keys are kept (tests: memory stays bounded).</summary>
    internal int KeyCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public ValueTask<StorerHold?> TryHoldAsync(BucketKey bucket, StorerIdentity storer, int count, int cap, long holdUntilUnixMs, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cap, 1);
        var now = Now();
        lock (_lock)
        {
            Sweep(now);
            var key = (bucket, storer.Tag);
            var entries = _entries.GetValueOrDefault(key);
            entries?.RemoveAll(e => e.EndUnixMs <= now);
            if ((entries?.Count ?? 0) + count > cap)
            {
                return ValueTask.FromResult<StorerHold?>(null);
            }

            if (entries is null)
            {
                _entries[key] = entries = [];
            }

            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            for (var j = 0; j < count; j++)
            {
                entries.Add(new Entry(id, j, holdUntilUnixMs));
            }

            return ValueTask.FromResult<StorerHold?>(new StorerHold(bucket, storer.Tag, id, count));
        }
    }

    public ValueTask SettleAsync(StorerHold hold, IReadOnlyList<long> endsUnixMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hold);
        ArgumentNullException.ThrowIfNull(endsUnixMs);
        if (endsUnixMs.Count != hold.Count)
        {
            throw new ArgumentException($"{endsUnixMs.Count} ends for a hold of {hold.Count}", nameof(endsUnixMs));
        }

        lock (_lock)
        {
            var key = (hold.Bucket, hold.StorerTag);
            var entries = _entries.GetValueOrDefault(key);
            if (entries is null)
            {
                _entries[key] = entries = [];
            }

            // Replaces the held entries, and puts them back if they had ended meanwhile (a store slower than the
            // hold): a blob that is live is always counted.
            entries.RemoveAll(e => e.Id == hold.Id);
            for (var j = 0; j < hold.Count; j++)
            {
                entries.Add(new Entry(hold.Id, j, endsUnixMs[j]));
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(StorerHold hold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hold);
        lock (_lock)
        {
            var key = (hold.Bucket, hold.StorerTag);
            if (_entries.TryGetValue(key, out var entries))
            {
                entries.RemoveAll(e => e.Id == hold.Id);
                if (entries.Count == 0)
                {
                    _entries.Remove(key);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Sweep(long now)
    {
        if (++_operations < SweepEvery)
        {
            return;
        }

        _operations = 0;
        foreach (var (key, entries) in _entries.ToList())
        {
            entries.RemoveAll(e => e.EndUnixMs <= now);
            if (entries.Count == 0)
            {
                _entries.Remove(key);
            }
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private readonly record struct Entry(string Id, int Index, long EndUnixMs);
}
