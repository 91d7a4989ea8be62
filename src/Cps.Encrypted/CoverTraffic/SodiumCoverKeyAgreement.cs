using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// X25519 public keys for cover blobs through the HPKE library's direct libsodium call
/// (<c>crypto_scalarmult_curve25519_base</c>, which clamps the scalar), the path measured fastest on this
/// hardware (see X25519.cs): NSec's Key objects cost several times more per operation and scale badly on two
/// threads because of their guarded memory, and every retrieval pays one per slot (nothing is cached, spec §8).
/// </summary>
internal sealed class SodiumCoverKeyAgreement : ICoverKeyAgreement
{
    private const int KeySize = 32;

    public void PublicKey(ReadOnlySpan<byte> sk, Span<byte> pk)
    {
        if (sk.Length != KeySize)
        {
            throw new ArgumentException($"an X25519 secret is {KeySize} bytes", nameof(sk));
        }

        if (pk.Length != KeySize)
        {
            throw new ArgumentException($"an X25519 public key is {KeySize} bytes", nameof(pk));
        }

        X25519.PublicKeyOf(sk, pk);
    }
}
