using System.Security.Cryptography;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The PASSporTs this verifier has already accepted for a call, so that a second call presenting the same
/// PASSporT within its freshness window is reported as suspicious rather than verified (RFC 8816 §7.4, the
/// substitution attack). Keyed by a hash of the signature; bounded in count and forgotten after the window.
/// </summary>
internal sealed class ConsumedPassports
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly int _capacity;
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, DateTimeOffset At)> _order = new();
    private readonly Lock _lock = new();

    public ConsumedPassports(TimeProvider time, TimeSpan window, int capacity)
    {
        _time = time;
        _window = window;
        _capacity = capacity;
    }

    /// <summary>Marks the PASSporT as used now; false (and when) if it had been used already within the window.</summary>
    public bool TryConsume(ReadOnlySpan<byte> signature, out DateTimeOffset firstUse)
    {
        var key = Convert.ToHexString(SHA256.HashData(signature));
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            while (_order.Count > 0 && (now - _order.Peek().At > _window || _order.Count > _capacity))
            {
                var (old, at) = _order.Dequeue();
                if (_seen.TryGetValue(old, out var recorded) && recorded == at)
                {
                    _seen.Remove(old);
                }
            }

            if (_seen.TryGetValue(key, out firstUse))
            {
                return false;
            }

            _seen[key] = now;
            _order.Enqueue((key, now));
            firstUse = now;
            return true;
        }
    }
}
