using System.Runtime.InteropServices;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// The few libsodium functions the HPKE hot paths call directly. The native library is the one
/// NSec.Cryptography ships (package <c>libsodium</c>); NSec's own <c>Key</c> objects are not used on these
/// paths because they are several times slower per agreement (see <see cref="X25519"/> for the numbers).
/// </summary>
internal static unsafe partial class Sodium
{
    private const string Library = "libsodium";

    // sodium_init() must run once before any other function (it picks the CPU-specific implementations
    // and seeds the allocator's canary); it is idempotent and thread-safe. The explicit static constructor
    // runs it before the first call to any method of this class.
    static Sodium()
    {
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium could not be initialised (sodium_init failed)");
        }
    }

    internal const int ChaCha20Poly1305KeySize = 32;

    [LibraryImport(Library)]
    private static partial int sodium_init();

    /// <summary>q = clamp(n) · p; -1 when p is a small-order point or the result is all zeros.</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_curve25519(byte* q, byte* n, byte* p);

    /// <summary>q = clamp(n) · 9 (the X25519 base point).</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_curve25519_base(byte* q, byte* n);

    [LibraryImport(Library)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    /// <summary>Checks the tag first, then decrypts; -1 (and nothing decrypted) when the tag does not verify.</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);

    /// <summary>HKDF-Extract with HMAC-SHA256 (RFC 5869 §2.2): prk = HMAC-SHA256(salt, ikm), 32 bytes.</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_kdf_hkdf_sha256_extract(byte* prk, byte* salt, nuint salt_len, byte* ikm, nuint ikm_len);

    /// <summary>HKDF-Expand with HMAC-SHA256 (RFC 5869 §2.3) from a 32-byte prk, ctx being the info; -1 above 255 · 32 bytes.</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_kdf_hkdf_sha256_expand(byte* @out, nuint out_len, byte* ctx, nuint ctx_len, byte* prk);

    /// <summary>
    /// ChaCha20 (RFC 8439 §2.4) with a 96-bit nonce, starting at block counter <paramref name="ic"/>: c = m XOR keystream.
    /// </summary>
    [LibraryImport(Library)]
    internal static partial int crypto_stream_chacha20_ietf_xor_ic(byte* c, byte* m, ulong mlen, byte* n, uint ic, byte* k);

    /// <summary>HMAC-SHA256 (RFC 2104) with a 32-byte key.</summary>
    [LibraryImport(Library)]
    internal static partial int crypto_auth_hmacsha256(byte* @out, byte* @in, ulong inlen, byte* k);

    /// <summary>Guarded allocation: guard pages before and after, mlock'ed, a canary, never moved.</summary>
    [LibraryImport(Library)]
    internal static partial void* sodium_malloc(nuint size);

    /// <summary>Wipes, unlocks and frees memory from <see cref="sodium_malloc"/>.</summary>
    [LibraryImport(Library)]
    internal static partial void sodium_free(void* ptr);
}
