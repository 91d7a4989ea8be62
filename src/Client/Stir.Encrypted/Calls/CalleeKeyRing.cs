using Stir.Encrypted.Hpke;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The private keys a callee (a phone, a PBX, a carrier's verification service) holds, and the numbers and
/// ranges each is for. The ring owns the keys it is given.
/// </summary>
public sealed class CalleeKeyRing : IDisposable
{
    private readonly List<(TelephoneNumberRange? Range, TelephoneNumber? Number, HpkePrivateKey Key)> _entries = [];
    private readonly Lock _lock = new();

    /// <summary>Adds a key for one number.</summary>
    public void Add(TelephoneNumber number, HpkePrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(number);
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            _entries.Add((null, number, key));
        }
    }

    /// <summary>Adds a key for a range of numbers.</summary>
    public void Add(TelephoneNumberRange range, HpkePrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            _entries.Add((range, null, key));
        }
    }

    /// <summary>The keys that are for <paramref name="called"/>, in the order they were added.</summary>
    public IReadOnlyList<HpkePrivateKey> KeysFor(TelephoneNumber called)
    {
        ArgumentNullException.ThrowIfNull(called);
        lock (_lock)
        {
            return [.. _entries.Where(e => e.Number == called || (e.Range?.Contains(called) ?? false)).Select(e => e.Key).Distinct()];
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var key in _entries.Select(e => e.Key).Distinct())
            {
                key.Dispose();
            }

            _entries.Clear();
        }
    }
}
