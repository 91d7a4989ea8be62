using Stir.Encrypted.Calls;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Key holders given by the test instead of a directory: the keys of each number added (every other number has
/// none), or the same keys for every number.
/// </summary>
internal sealed class FixedKeyHolders : IKeyHolderSource
{
    private readonly Dictionary<TelephoneNumber, IReadOnlyList<HpkePublicKey>> _keys = [];
    private readonly IReadOnlyList<HpkePublicKey>? _forEveryNumber;

    /// <summary>Only the numbers <see cref="Add"/> names have keys.</summary>
    public FixedKeyHolders()
    {
    }

    /// <summary><paramref name="keysForEveryNumber"/> for any called number.</summary>
    public FixedKeyHolders(IReadOnlyList<HpkePublicKey> keysForEveryNumber) => _forEveryNumber = keysForEveryNumber;

    /// <summary><paramref name="keys"/> for <paramref name="number"/> only.</summary>
    public FixedKeyHolders(TelephoneNumber number, params IReadOnlyList<HpkePublicKey> keys) => Add(number, keys);

    public FixedKeyHolders Add(TelephoneNumber number, params IReadOnlyList<HpkePublicKey> keys)
    {
        _keys[number] = keys;
        return this;
    }

    public Task<IReadOnlyList<HpkePublicKey>> GetHolderKeysAsync(TelephoneNumber called, CancellationToken cancellationToken) =>
        Task.FromResult(_forEveryNumber ?? (_keys.TryGetValue(called, out var keys) ? keys : []));
}
