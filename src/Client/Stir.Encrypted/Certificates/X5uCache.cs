namespace Stir.Encrypted.Certificates;

/// <summary>A bounded least-recently-used map from <c>x5u</c> URL to a validation result with its own expiry.</summary>
internal sealed class X5uCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private readonly int _capacity;

    public X5uCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    public bool TryGet(string url, DateTimeOffset now, out StirChainValidationResult result)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(url, out var node))
            {
                if (now < node.Value.ExpiresAt)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    result = node.Value.Result;
                    return true;
                }

                _recency.Remove(node);
                _map.Remove(url);
            }
        }

        result = null!;
        return false;
    }

    public void Set(string url, StirChainValidationResult result, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            if (_map.Remove(url, out var old))
            {
                _recency.Remove(old);
            }

            _map[url] = _recency.AddFirst(new Entry(url, result, expiresAt));
            while (_map.Count > _capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _map.Remove(last.Value.Url);
            }
        }
    }

    private sealed record Entry(string Url, StirChainValidationResult Result, DateTimeOffset ExpiresAt);
}
