using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Tests.Support;

/// <summary>
/// Every random choice of <see cref="BlobSealer"/> drawn from a seeded <see cref="Random"/>, so that statistical tests
/// are reproducible; the ephemeral key is RFC 9180 DeriveKeyPair of seeded bytes. Never for production.
/// </summary>
internal sealed class SeededBlobRandomness(int seed) : BlobRandomness
{
    private readonly Random _random = new(seed);

    public override HpkePrivateKey EphemeralKey()
    {
        var ikm = new byte[32];
        _random.NextBytes(ikm);
        return HpkePrivateKey.DeriveKeyPair(BlobSealer.Suite.Kem, ikm);
    }

    public override void ContentKey(Span<byte> cek) => _random.NextBytes(cek);

    public override void UnusedStanza(Span<byte> stanza) => _random.NextBytes(stanza);

    public override int Next(int toExclusive) => _random.Next(toExclusive);
}
