using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps;

/// <summary>
/// Keeps the costly part of the index (K_dest_e, spec/protocol.md §5) per destination and epoch, so that
/// the per-call work is one HMAC. Callees warm it for their own numbers before each epoch, callers for their
/// address book (<see cref="Prepare"/>). Bounded: the least recently used entry goes first.
/// </summary>
/// <remarks>
/// K_dest_e is not a secret (anyone can compute it from the number and the published parameters; its cost
/// is the point), so entries are not wiped: a key handed to one thread stays intact if another evicts it.
/// </remarks>
public sealed class DestinationKeyCache
{
    private readonly IndexParameters _parameters;
    private readonly int _capacity;
    private readonly Dictionary<(string Dest, ulong Epoch), LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Creates a cache for one CPS's parameters.</summary>
    public DestinationKeyCache(IndexParameters parameters, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _parameters = parameters;
        _capacity = capacity;
    }

    /// <summary>The parameters this cache derives keys for.</summary>
    public IndexParameters Parameters => _parameters;

    /// <summary>How many keys are held.</summary>
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

    /// <summary>Derives the index of a call, paying Argon2id only on the first call to <paramref name="dest"/> in the epoch.</summary>
    public BlobIndex Derive(TelephoneNumber orig, TelephoneNumber dest, ulong epoch)
    {
        ArgumentNullException.ThrowIfNull(orig);
        var key = GetOrAdd(dest, epoch);
        return BlobIndex.FromDestinationKey(_parameters, key, orig, dest, epoch);
    }

    /// <summary>Computes and keeps the destination key for (<paramref name="dest"/>, <paramref name="epoch"/>) ahead of time.</summary>
    public void Prepare(TelephoneNumber dest, ulong epoch) => GetOrAdd(dest, epoch);

    /// <summary>Whether the key for (<paramref name="dest"/>, <paramref name="epoch"/>) is already held.</summary>
    public bool Contains(TelephoneNumber dest, ulong epoch)
    {
        ArgumentNullException.ThrowIfNull(dest);
        lock (_lock)
        {
            return _map.ContainsKey((dest.Value, epoch));
        }
    }

    private byte[] GetOrAdd(TelephoneNumber dest, ulong epoch)
    {
        ArgumentNullException.ThrowIfNull(dest);
        var id = (dest.Value, epoch);
        lock (_lock)
        {
            if (_map.TryGetValue(id, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return node.Value.Key;
            }
        }

        // Argon2id runs outside the lock: two threads may derive the same key once each, which is cheaper
        // than making every other destination wait.
        var key = BlobIndex.DeriveDestinationKey(_parameters, dest, epoch);
        lock (_lock)
        {
            if (_map.TryGetValue(id, out var existing))
            {
                return existing.Value.Key;
            }

            var node = _order.AddFirst(new Entry(id, key));
            _map[id] = node;
            if (_map.Count > _capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _map.Remove(last.Value.Id);
            }

            return key;
        }
    }

    private sealed record Entry((string Dest, ulong Epoch) Id, byte[] Key);
}
