using System.Security.Cryptography;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// Cover blob bytes as spec/protocol.md §9 "Derivations" defines them: <c>enc ‖ ct</c> where <c>enc</c> =
/// X25519(sk, 9) and <c>ct</c> = ChaCha20-Poly1305(key, nonce 0^12, aad empty) sealing zeros, so a decoy is
/// an actual encapsulation key followed by an actual AEAD ciphertext of a real blob's length.
/// </summary>
internal sealed class DerivedCoverBlobFactory : ICoverBlobFactory
{
    private const int EncSize = 32;
    private const int TagSize = 16;

    private readonly ICoverKeyAgreement _keyAgreement;

    public DerivedCoverBlobFactory(ICoverKeyAgreement keyAgreement)
    {
        ArgumentNullException.ThrowIfNull(keyAgreement);
        _keyAgreement = keyAgreement;
    }

    public void Write(ReadOnlySpan<byte> coverKey, in CoverOccupant occupant, Span<byte> blob)
    {
        if (blob.Length < EncSize + TagSize)
        {
            throw new ArgumentException("a blob holds at least enc and a tag", nameof(blob));
        }

        Span<byte> sk = stackalloc byte[32];
        Span<byte> aeadKey = stackalloc byte[32];
        try
        {
            CoverDerivation.OccupantSecrets(coverKey, occupant, sk, aeadKey);
            _keyAgreement.PublicKey(sk, blob[..EncSize]);

            // ChaCha20-Poly1305 (RFC 8439 §2.8) of zeros, nonce 0^12, no aad, sealed in place; libsodium directly
            // rather than a BCL ChaCha20Poly1305 object per cover (its construction cost more than the sealing).
            var ct = blob[EncSize..];
            var ciphertext = ct[..^TagSize];
            ciphertext.Clear();
            Seal(aeadKey, ciphertext, ct[^TagSize..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sk);
            CryptographicOperations.ZeroMemory(aeadKey);
        }
    }

    private static unsafe void Seal(ReadOnlySpan<byte> key, Span<byte> text, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[12];
        nonce.Clear();
        fixed (byte* k = key)
        fixed (byte* n = nonce)
        fixed (byte* c = text)
        fixed (byte* t = tag)
        {
            _ = Sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, t, null, c, (ulong)text.Length, null, 0, null, n, k);
        }
    }
}
