using System.Buffers.Text;
using System.Globalization;
using System.Numerics;

namespace Stir.Encrypted.Tests.Support;

/// <summary>
/// The second spelling of an ES256 signature: (r, s) → (r, n − s), n the order of P-256 (SEC 2 §2.4.2). Both verify
/// under the same key, so anything that identifies a signed token by its signature bytes can be fooled with it.
/// </summary>
internal static class EcdsaTwin
{
    private static readonly BigInteger P256Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>The compact JWS <paramref name="token"/> with its 64-byte P1363 signature respelled.</summary>
    public static string Of(string token)
    {
        var dot = token.LastIndexOf('.');
        var signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        if (signature.Length != 64)
        {
            throw new ArgumentException("not an ES256 compact JWS", nameof(token));
        }

        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var flipped = (P256Order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(signature, 32, 32);
        flipped.CopyTo(signature, 64 - flipped.Length);
        return token[..(dot + 1)] + Base64Url.EncodeToString(signature);
    }
}
