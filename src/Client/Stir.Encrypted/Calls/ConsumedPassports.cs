using System.Globalization;
using System.Security.Cryptography;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The PASSporTs this verifier has already accepted for a call, so that a second call presenting the same
/// PASSporT within its freshness window is reported as suspicious rather than verified (RFC 8816 §7.4, the
/// substitution attack). Keyed by a hash of what was signed (the signing input, header and claims as received),
/// never of the signature: ECDSA accepts (r, n − s) as well as (r, s), so anyone holding a PASSporT can respell its
/// signature into a twin that verifies, and a key on the signature would let the twin pass as a new call. Bounded
/// in count and forgotten after the window.
/// With a state file, the set outlives the process (a verifier run once per call, such as `stir verify`): it is
/// read at construction and rewritten atomically after each change. Lines are <c>HASH UNIX-MS</c>; a line that
/// does not parse is dropped (the file is a cache of hashes, not a record of truth).
/// </summary>
internal sealed class ConsumedPassports
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly int _capacity;
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, DateTimeOffset At)> _order = new();
    private readonly Lock _lock = new();

    private readonly string? _stateFile;

    public ConsumedPassports(TimeProvider time, TimeSpan window, int capacity, string? stateFile = null)
    {
        _time = time;
        _window = window;
        _capacity = capacity;
        _stateFile = stateFile;
        if (stateFile is not null && File.Exists(stateFile))
        {
            var now = time.GetUtcNow();
            foreach (var line in File.ReadLines(stateFile))
            {
                var parts = line.Split(' ');
                if (parts.Length == 2 && parts[0].Length == 64
                    && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
                    && DateTimeOffset.FromUnixTimeMilliseconds(ms) is var at && now - at <= window && !_seen.ContainsKey(parts[0]))
                {
                    _seen[parts[0]] = at;
                    _order.Enqueue((parts[0], at));
                }
            }
        }
    }

    /// <summary>Marks the PASSporT as used now; false (and when) if it had been used already within the window.</summary>
    public bool TryConsume(Passport passport, out DateTimeOffset firstUse)
    {
        var key = KeyOf(passport);
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
            Save();
            return true;
        }
    }

    /// <summary>Forgets a PASSporT marked by <see cref="TryConsume"/> (its use did not happen, e.g. the store failed).</summary>
    public void Forget(Passport passport)
    {
        var key = KeyOf(passport);
        lock (_lock)
        {
            _seen.Remove(key);
            Save();
        }
    }

    // The signing input holds the claims exactly as signed, and for a div-o the nested original in full (its own
    // signature included), so one PASSporT has one key whatever the spelling of its outer signature.
    private static string KeyOf(Passport passport)
    {
        ArgumentNullException.ThrowIfNull(passport);
        return Convert.ToHexString(SHA256.HashData(passport.SigningInput));
    }

    // Under the lock.
    private void Save()
    {
        if (_stateFile is null)
        {
            return;
        }

        var text = string.Concat(_seen.Select(e => $"{e.Key} {e.Value.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}\n"));
        AtomicFile.Write(_stateFile, System.Text.Encoding.ASCII.GetBytes(text), ownerOnly: true);
    }
}
