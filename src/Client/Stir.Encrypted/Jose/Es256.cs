using System.Runtime.CompilerServices;
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

    /// <summary>
    /// Keys already found on P-256, by object. A key's curve does not change unless its owner re-imports or
    /// regenerates it; exporting its parameters to look again costs about a tenth of a verification and, on
    /// OpenSSL 3, makes the next signature operation re-sync the key (as much again). Entries die with their key.
    /// </summary>
    private static readonly ConditionalWeakTable<ECDsa, object> KnownP256 = [];

    private static readonly object Checked = new();

    /// <summary>Like <see cref="RequireP256"/>, checking each key object's curve once (see <see cref="IsP256Once"/>).</summary>
    public static void RequireP256Once(ECDsa key, string paramName)
    {
        if (!IsP256Once(key))
        {
            throw new ArgumentException($"ES256 needs a P-256 key; this one is {key.KeySize} bits on another curve", paramName);
        }
    }

    /// <summary>
    /// <see cref="IsP256"/> for the hot path: the curve is exported and checked the first time a key object is
    /// seen, and only a positive answer is remembered. The key size is re-read on every call, so a key re-imported
    /// onto a curve of another size is refused again; re-importing the same object onto another 256-bit curve after
    /// its first use is not detected (no key this library creates or owns is ever re-imported).
    /// </summary>
    public static bool IsP256Once(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            return false;
        }

        if (KnownP256.TryGetValue(key, out _))
        {
            return true;
        }

        if (!IsP256(key))
        {
            return false;
        }

        KnownP256.AddOrUpdate(key, Checked);
        return true;
    }

    /// <summary>Exports the key's public parameters and checks that the curve is named P-256 (by OID or name).</summary>
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
