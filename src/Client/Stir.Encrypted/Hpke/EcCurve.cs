using System.Numerics;
using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// A NIST prime curve y² = x³ − 3x + b (mod p) of a DHKEM (FIPS 186-5 / SP 800-186 §3.2.1), with what
/// RFC 9180 needs: the order for §7.1.3 DeriveKeyPair and the equation for §7.1.4 public key validation.
/// </summary>
internal sealed class EcCurve
{
    public static readonly EcCurve P256 = new(
        "P-256",
        ECCurve.NamedCurves.nistP256,
        fieldSize: 32,
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        order: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        bitmask: 0xFF);

    public static readonly EcCurve P521 = new(
        "P-521",
        ECCurve.NamedCurves.nistP521,
        fieldSize: 66,
        p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        b: "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
        order: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
        bitmask: 0x01);

    private readonly BigInteger _p;
    private readonly BigInteger _b;
    private readonly byte[] _order;

    private EcCurve(string name, ECCurve curve, int fieldSize, string p, string b, string order, byte bitmask)
    {
        Name = name;
        Curve = curve;
        FieldSize = fieldSize;
        _p = BigInteger.Parse("0" + p, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        _b = BigInteger.Parse("0" + b, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        _order = Convert.FromHexString(order);
        Bitmask = bitmask;
        if (_order.Length != fieldSize)
        {
            throw new InvalidOperationException($"{name}: the order must be written in {fieldSize} bytes");
        }
    }

    public string Name { get; }

    public ECCurve Curve { get; }

    /// <summary>Bytes of a field element or scalar: Ndh = Nsk, and a public key is 1 + 2 · FieldSize bytes.</summary>
    public int FieldSize { get; }

    /// <summary>Npk = Nenc: 0x04 || X || Y (SEC 1 §2.3.3, uncompressed).</summary>
    public int PointSize => 1 + (2 * FieldSize);

    /// <summary>RFC 9180 §7.1.3 <c>bitmask</c>: 0xFF for P-256, 0x01 for P-521.</summary>
    public byte Bitmask { get; }

    /// <summary>The group order n, big-endian in <see cref="FieldSize"/> bytes.</summary>
    public ReadOnlySpan<byte> Order => _order;

    /// <summary>
    /// True when the big-endian <paramref name="scalar"/> is in [1, n − 1]. Branch-free over the bytes:
    /// it decides whether a derived or imported private key is usable.
    /// </summary>
    public bool IsValidScalar(ReadOnlySpan<byte> scalar) => IsValidScalar(scalar, _order);

    internal static bool IsValidScalar(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> order)
    {
        if (scalar.Length != order.Length)
        {
            return false;
        }

        // scalar < order  ⇔  scalar − order borrows out of the top byte.
        var borrow = 0;
        var nonZero = 0;
        for (var i = scalar.Length - 1; i >= 0; i--)
        {
            var difference = scalar[i] - order[i] - borrow;
            borrow = (difference >> 8) & 1;
            nonZero |= scalar[i];
        }

        return (borrow & (((nonZero | -nonZero) >> 31) & 1)) == 1;
    }

    /// <summary>
    /// RFC 9180 §7.1.4 / SP 800-56A §5.6.2.3.4 partial public key validation of an uncompressed point:
    /// the encoding, both coordinates in [0, p − 1], and the curve equation. The point at infinity has no
    /// uncompressed encoding. Returns null when valid, or what is wrong.
    /// </summary>
    public string? CheckPublicKey(ReadOnlySpan<byte> point)
    {
        if (point.Length != PointSize)
        {
            return $"expected {PointSize} bytes (0x04 || X || Y, SEC 1 uncompressed), got {point.Length}";
        }

        if (point[0] != 0x04)
        {
            return point[0] is 0x02 or 0x03
                ? $"the first byte is 0x{point[0]:x2}, a compressed point; only the uncompressed form (0x04) is accepted (RFC 9180 §7.1.1)"
                : $"the first byte is 0x{point[0]:x2}; an uncompressed point starts with 0x04 (RFC 9180 §7.1.1)";
        }

        var x = new BigInteger(point.Slice(1, FieldSize), isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(point.Slice(1 + FieldSize, FieldSize), isUnsigned: true, isBigEndian: true);
        if (x >= _p)
        {
            return "the X coordinate is not below the field prime p";
        }

        if (y >= _p)
        {
            return "the Y coordinate is not below the field prime p";
        }

        var left = BigInteger.ModPow(y, 2, _p);
        var right = ((BigInteger.ModPow(x, 3, _p) - (3 * x) + _b) % _p + _p) % _p;
        return left == right ? null : $"the point is not on the curve {Name} (y² ≠ x³ − 3x + b mod p)";
    }
}
