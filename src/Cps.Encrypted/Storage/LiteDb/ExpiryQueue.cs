namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// When each bucket next needs the sweeper: the end of a live blob (its sealed bytes must go) or the bucket's
/// expiry (the whole document must go). Rebuilt at open by one scan of every epoch file and fed by every
/// append, so the sweeper never queries the database for what expired.
/// </summary>
/// <remarks>
/// Used by the writer loop only (and by the open before the loop starts), so it takes no lock. A bucket may be
/// queued more than once; the sweeper looks at the stored document and does whatever is due, so a duplicate
/// costs one lookup.
/// </remarks>
internal sealed class ExpiryQueue
{
    private readonly PriorityQueue<BucketKey, long> _queue = new();

    public int Count => _queue.Count;

    public void Add(BucketKey key, long dueUnixMs) => _queue.Enqueue(key, dueUnixMs);

    /// <summary>Removes every entry due at or before <paramref name="nowUnixMs"/> and adds its bucket to <paramref name="due"/>.</summary>
    public void TakeDue(long nowUnixMs, ISet<BucketKey> due)
    {
        while (_queue.TryPeek(out var key, out var when) && when <= nowUnixMs)
        {
            _queue.Dequeue();
            due.Add(key);
        }
    }
}
