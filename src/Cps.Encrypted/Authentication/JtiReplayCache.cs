namespace Stir.Encrypted.CpsService.Authentication;

/// <summary>
/// The <c>jti</c> values of accepted storer tokens, each remembered for the window after it was first seen, in
/// memory and bounded (spec §8 "Storer authentication"). Per node: with several CPS nodes a token replayed to
/// another node within its window is not recognised; the replay can only store the same body again (bdh binds it),
/// one more real blob in the same bucket. Kept in memory rather than in the store, so that checking it costs no
/// store round trip on the call path.
/// </summary>
internal sealed class JtiReplayCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _expiries = new(StringComparer.Ordinal);
    private readonly Queue<(string Jti, long ExpiresUnixMs)> _order = new();
    private readonly long _windowMs;
    private readonly int _capacity;

    public JtiReplayCache(TimeSpan window, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _windowMs = (long)window.TotalMilliseconds;
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _expiries.Count;
            }
        }
    }

    /// <summary>
    /// Remembers <paramref name="jti"/> if it is not remembered already: <see cref="JtiOutcome.Fresh"/>, or
    /// <see cref="JtiOutcome.Replayed"/>; <see cref="JtiOutcome.Full"/> when the cache holds its capacity of unexpired
    /// values (then <paramref name="retryAfter"/> says when the oldest expires). Never evicts a live value, since
    /// that would let its token be replayed.
    /// </summary>
    public JtiOutcome TryRemember(string jti, long nowUnixMs, out TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(jti);
        retryAfter = TimeSpan.Zero;
        lock (_lock)
        {
            while (_order.TryPeek(out var oldest) && oldest.ExpiresUnixMs <= nowUnixMs)
            {
                _order.Dequeue();
                _expiries.Remove(oldest.Jti);
            }

            if (_expiries.ContainsKey(jti))
            {
                return JtiOutcome.Replayed;
            }

            if (_expiries.Count >= _capacity)
            {
                retryAfter = TimeSpan.FromMilliseconds(_order.Peek().ExpiresUnixMs - nowUnixMs);
                return JtiOutcome.Full;
            }

            var expires = nowUnixMs + _windowMs;
            _expiries.Add(jti, expires);
            _order.Enqueue((jti, expires));
            return JtiOutcome.Fresh;
        }
    }
}

internal enum JtiOutcome
{
    Fresh,
    Replayed,
    Full,
}
