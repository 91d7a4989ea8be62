using System.Numerics;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>Whether 32 bytes are an X25519 public key that lies on Curve25519 (not its twist), RFC 7748 §5.</summary>
internal static class Curve25519
{
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger A = 486662;

    public static bool TopBitSet(ReadOnlySpan<byte> enc) => (enc[31] & 0x80) != 0;

    /// <summary>u³ + A·u² + u is a square mod p (Euler's criterion), with u decoded as RFC 7748 decodeUCoordinate does.</summary>
    public static bool IsOnCurve(ReadOnlySpan<byte> enc)
    {
        Span<byte> masked = stackalloc byte[32];
        enc[..32].CopyTo(masked);
        masked[31] &= 0x7f;
        var u = new BigInteger(masked, isUnsigned: true, isBigEndian: false) % P;
        var rhs = ((u * u * u) + (A * u * u) + u) % P;
        return rhs.IsZero || BigInteger.ModPow(rhs, (P - 1) / 2, P).IsOne;
    }
}
