using Stir.Encrypted.Hpke;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The HPKE public keys of every party with authority over a called number (carrier, reseller, enterprise,
/// user: RFC 8816 §6.1), each already verified by the implementation (chain, TNAuthList coverage, signature,
/// validity, rollback): a caller encrypts to all of them and to nothing else.
/// </summary>
public interface IKeyHolderSource
{
    /// <summary>The verified keys for <paramref name="called"/>; empty when the number has no key holder.</summary>
    Task<IReadOnlyList<HpkePublicKey>> GetHolderKeysAsync(TelephoneNumber called, CancellationToken cancellationToken);
}
