using System.Security.Cryptography;

namespace Stir.Encrypted.Jose;

/// <summary>ES256 (RFC 7518 §3.4): ECDSA on P-256 with SHA-256, signatures as R || S (IEEE P1363), 64 bytes.</summary>
internal static class Es256
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>Throws unless <paramref name="key"/> is on P-256: a key on another curve is a programming error here.</summary>
    public static void RequireP256(ECDsa key, string paramName)
    {
        if (!IsP256(key))
        {
            throw new ArgumentException($"ES256 needs a P-256 key; this one is {key.KeySize} bits on another curve", paramName);
        }
    }

    public static bool IsP256(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            return false;
        }

        var curve = key.ExportParameters(includePrivateParameters: false).Curve;
        return curve.IsNamed && (curve.Oid.Value == P256Oid || string.Equals(curve.Oid.FriendlyName, "nistP256", StringComparison.OrdinalIgnoreCase)
            || string.Equals(curve.Oid.FriendlyName, "ECDSA_P256", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Signs <paramref name="signingInput"/>, writing the 64-byte R || S into a new array.</summary>
    public static byte[] Sign(ECDsa privateKey, ReadOnlySpan<byte> signingInput)
        => privateKey.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
}
