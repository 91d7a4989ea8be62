using Stir.Encrypted.Hpke;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.KeyRecords;

/// <summary>What a holder puts in a key record before <see cref="KeyRecordSigner.Sign"/> signs it (spec/protocol.md §10).</summary>
public sealed class KeyRecordContent
{
    /// <summary><c>rid</c>: the holder's name for this key slot (1 to 64 of <c>A-Z a-z 0-9 . _ -</c>).</summary>
    public required string Rid { get; init; }

    /// <summary><c>seq</c>: higher than every earlier publication or revocation of the rid.</summary>
    public required long Seq { get; init; }

    /// <summary>The HPKE public key callers encrypt to.</summary>
    public required HpkePublicKey PublicKey { get; init; }

    /// <summary>The HPKE suite; version 1 uses <see cref="HpkeSuite.X25519Sha256ChaCha20Poly1305"/> only.</summary>
    public HpkeSuite Suite { get; init; } = HpkeSuite.X25519Sha256ChaCha20Poly1305;

    /// <summary><c>tn</c>: single numbers (at least one number or range overall).</summary>
    public IReadOnlyList<TelephoneNumber> Numbers { get; init; } = [];

    /// <summary><c>tnr</c>: ranges.</summary>
    public IReadOnlyList<TelephoneNumberRange> Ranges { get; init; } = [];

    /// <summary><c>role</c>, optional.</summary>
    public KeyRecordRole? Role { get; init; }

    /// <summary><c>iat</c>; the signer's clock when null.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary><c>nbf</c>; <see cref="IssuedAt"/> when null.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary><c>exp</c>: no later than the signing certificate chain's earliest notAfter.</summary>
    public required DateTimeOffset Expires { get; init; }
}
