using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// ChaCha20-Poly1305 (RFC 8439 §2.8, the IETF variant RFC 9180 §7.3 names) through libsodium, whose
/// detached decryption verifies the tag before decrypting and reports a mismatch as -1. The BCL's
/// <see cref="System.Security.Cryptography.ChaCha20Poly1305"/> throws instead (measured on this machine,
/// 300-byte message: 9.1–9.8 µs with the exception against 0.6 µs for libsodium).
/// </summary>
internal sealed unsafe class ChaCha20Poly1305Cipher : AeadCipher
{
    // Pinned so that the garbage collector never leaves a copy of the key behind; wiped on Dispose.
    private readonly byte[] _key = GC.AllocateUninitializedArray<byte>(Sodium.ChaCha20Poly1305KeySize, pinned: true);
    private bool _disposed;

    public ChaCha20Poly1305Cipher(ReadOnlySpan<byte> key)
    {
        key.CopyTo(_key);
    }

    public override void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        CheckSizes(nonce, plaintext.Length, ciphertext.Length);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int rc;
        fixed (byte* c = ciphertext)
        fixed (byte* m = plaintext)
        fixed (byte* ad = aad)
        fixed (byte* npub = nonce)
        fixed (byte* k = _key)
        {
            rc = Sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(
                c, c + plaintext.Length, null, m, (ulong)plaintext.Length, ad, (ulong)aad.Length, null, npub, k);
        }

        if (rc != 0)
        {
            throw new CryptographicException("libsodium crypto_aead_chacha20poly1305_ietf_encrypt_detached failed");
        }
    }

    public override bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        CheckSizes(nonce, plaintext.Length, ciphertext.Length);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int rc;
        fixed (byte* m = plaintext)
        fixed (byte* c = ciphertext)
        fixed (byte* ad = aad)
        fixed (byte* npub = nonce)
        fixed (byte* k = _key)
        {
            rc = Sodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(
                m, null, c, (ulong)plaintext.Length, c + plaintext.Length, ad, (ulong)aad.Length, npub, k);
        }

        if (rc == 0)
        {
            return true;
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return false;
    }

    public override void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        _disposed = true;
    }
}
