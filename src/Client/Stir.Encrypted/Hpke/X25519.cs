using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// X25519 (RFC 7748 §5) through libsodium, called directly on raw scalars.
/// </summary>
/// <remarks>
/// Chosen by measurement (Stopwatch, Release, this project's 2-core machine, libsodium 1.0.22 from NSec
/// 26.4.0; best of 5 runs of 4,000–6,000 operations; per operation and per thread):
/// <code>
///                                              1 thread    2 threads
/// NSec Key.Agree + export raw shared secret    70–96 µs    198–250 µs
/// NSec Key.Import + Agree (key per call)      127–172 µs   494–530 µs
/// libsodium direct, scalar in a managed array  36–40 µs     37–62 µs
/// libsodium direct, scalar in a pinned array   36–42 µs     40–50 µs
/// libsodium direct, scalar in sodium_malloc    36–41 µs     38–60 µs
/// NSec Key.Create (ephemeral key pair)         54–75 µs    214–283 µs
/// libsodium scalarmult_base (ephemeral pair)   20–27 µs     22–31 µs
/// sodium_malloc + sodium_free of 32 bytes      30–38 µs    144–209 µs
/// </code>
/// NSec allocates guarded memory for every key and every shared secret, and that allocation (mmap,
/// mprotect) is what serialises threads; the curve arithmetic is the same libsodium code. Where the
/// long-lived scalar lives makes no measurable difference, so it lives where it is safest, in guarded
/// memory (<see cref="SodiumSecret"/>), and ephemeral scalars and DH outputs live on the stack and are wiped.
/// </remarks>
internal static unsafe class X25519
{
    public const int ScalarSize = 32;
    public const int PointSize = 32;

    // RFC 7748 §5 / libsodium's blocklist: the u-coordinates (mod p, high bit ignored) of the points of
    // order 1, 2, 4 and 8 on the curve and its twist, including the non-canonical encodings p and p+1.
    // Every clamped scalar is a multiple of 8, so an agreement with any of them gives the all-zero output;
    // any other point gives a non-zero output (the large prime order divides no clamped scalar).
    private static readonly byte[][] SmallOrderPoints =
    [
        Convert.FromHexString("0000000000000000000000000000000000000000000000000000000000000000"), // 0: order 2
        Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000000"), // 1: order 4
        Convert.FromHexString("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"), // order 8
        Convert.FromHexString("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"), // order 8
        Convert.FromHexString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // p - 1: order 4
        Convert.FromHexString("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // p (= 0)
        Convert.FromHexString("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // p + 1 (= 1)
    ];

    /// <summary>RFC 7748 §5 decodeScalar25519 clamping, in place.</summary>
    public static void Clamp(Span<byte> k)
    {
        k[0] &= 248;
        k[31] &= 127;
        k[31] |= 64;
    }

    /// <summary>True when <paramref name="u"/> is one of the small-order points (high bit ignored, RFC 7748 §5).</summary>
    public static bool IsSmallOrder(ReadOnlySpan<byte> u)
    {
        foreach (var point in SmallOrderPoints)
        {
            if (u[..31].SequenceEqual(point.AsSpan(0, 31)) && (u[31] & 0x7F) == point[31])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>DH(k, u) = X25519(k, u); false when the output would be all zeros (RFC 9180 §7.1.4).</summary>
    public static bool TryAgree(ReadOnlySpan<byte> k, ReadOnlySpan<byte> u, Span<byte> sharedSecret)
    {
        if (k.Length != ScalarSize || u.Length != PointSize || sharedSecret.Length != PointSize)
        {
            throw new ArgumentException("X25519 scalars, points and outputs are 32 bytes");
        }

        int rc;
        fixed (byte* q = sharedSecret)
        fixed (byte* n = k)
        fixed (byte* p = u)
        {
            rc = Sodium.crypto_scalarmult_curve25519(q, n, p);
        }

        if (rc != 0)
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            return false;
        }

        return true;
    }

    /// <summary>pk(k) = X25519(k, 9).</summary>
    public static void PublicKeyOf(ReadOnlySpan<byte> k, Span<byte> publicKey)
    {
        if (k.Length != ScalarSize || publicKey.Length != PointSize)
        {
            throw new ArgumentException("X25519 scalars and points are 32 bytes");
        }

        int rc;
        fixed (byte* q = publicKey)
        fixed (byte* n = k)
        {
            rc = Sodium.crypto_scalarmult_curve25519_base(q, n);
        }

        // A clamped scalar is never 0 mod the group order, so the base point multiple is never zero.
        if (rc != 0)
        {
            throw new CryptographicException("libsodium crypto_scalarmult_curve25519_base failed");
        }
    }
}
