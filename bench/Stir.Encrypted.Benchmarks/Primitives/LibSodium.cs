using System.Runtime.InteropServices;

namespace Stir.Encrypted.Benchmarks.Primitives;

/// <summary>
/// The benchmarks' own binding to the libsodium that NSec ships: the baselines call the C functions
/// directly, without going through the library under test, so that a slow path in the library's binding
/// shows up as a ratio above 1 instead of being measured on both sides.
/// </summary>
internal static unsafe partial class LibSodium
{
    private const string Library = "libsodium";

    static LibSodium()
    {
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("sodium_init failed");
        }
    }

    /// <summary>Runs the static constructor (sodium_init) before anything is measured.</summary>
    public static void EnsureInitialized()
    {
    }

    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_curve25519(byte* q, byte* n, byte* p);

    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_curve25519_base(byte* q, byte* n);

    [LibraryImport(Library)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);

    [LibraryImport(Library)]
    internal static partial int crypto_kdf_hkdf_sha256_extract(byte* prk, byte* salt, nuint salt_len, byte* ikm, nuint ikm_len);

    [LibraryImport(Library)]
    internal static partial int crypto_kdf_hkdf_sha256_expand(byte* @out, nuint out_len, byte* ctx, nuint ctx_len, byte* prk);

    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_ed25519_base_noclamp(byte* q, byte* n);

    [LibraryImport(Library)]
    private static partial int sodium_init();
}
