namespace Stir.Encrypted.Discovery;

/// <summary>
/// A small cache in front of DNS that keeps each answer for its TTL. Negative answers are kept for their SOA
/// minimum (RFC 2308 §5). Failures are not cached. The cache holds at most <c>capacity</c> entries: when it
/// is full, expired entries go first, then the ones that expire soonest. Time comes from a
/// <see cref="TimeProvider"/>.
/// </summary>
internal sealed class NaptrCache : INaptrSource
{
    private readonly INaptrSource _inner;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly TimeSpan _maxTtl;
    private readonly Dictionary<string, (NaptrAnswer Answer, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public NaptrCache(INaptrSource inner, TimeProvider time, int capacity, TimeSpan maxTtl)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _inner = inner;
        _time = time;
        _capacity = capacity;
        _maxTtl = maxTtl;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public async Task<NaptrAnswer> QueryAsync(string domain, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(domain, out var entry))
            {
                if (entry.Expires > _time.GetUtcNow())
                {
                    return entry.Answer with { FromCache = true };
                }

                _entries.Remove(domain);
            }
        }

        var answer = await _inner.QueryAsync(domain, cancellationToken);
        var ttl = answer.Ttl < _maxTtl ? answer.Ttl : _maxTtl;
        if (ttl > TimeSpan.Zero)
        {
            lock (_lock)
            {
                var now = _time.GetUtcNow();
                if (_entries.Count >= _capacity && !_entries.ContainsKey(domain))
                {
                    Evict(now);
                }

                _entries[domain] = (answer, now + ttl);
            }
        }

        return answer;
    }

    private void Evict(DateTimeOffset now)
    {
        foreach (var key in _entries.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToList())
        {
            _entries.Remove(key);
        }

        if (_entries.Count >= _capacity)
        {
            var soonest = _entries.MinBy(e => e.Value.Expires).Key;
            _entries.Remove(soonest);
        }
    }
}
