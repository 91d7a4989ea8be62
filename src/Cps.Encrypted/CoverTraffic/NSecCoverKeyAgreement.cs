using NSec.Cryptography;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>X25519 public keys through NSec (libsodium's <c>crypto_scalarmult_base</c>, which clamps the scalar).</summary>
internal sealed class NSecCoverKeyAgreement : ICoverKeyAgreement
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

        using var key = Key.Import(KeyAgreementAlgorithm.X25519, sk, KeyBlobFormat.RawPrivateKey);
        if (!key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, pk, out var written) || written != KeySize)
        {
            throw new InvalidOperationException("NSec did not export a 32-byte X25519 public key");
        }
    }
}
