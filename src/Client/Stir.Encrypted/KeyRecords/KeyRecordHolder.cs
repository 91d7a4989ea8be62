using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// The holder of a key record: base64url(SHA-256(SubjectPublicKeyInfo DER)) of the end-entity certificate that
/// signed it (spec/protocol.md §10). It names the signing key, not the certificate, so a renewed certificate
/// for the same key is the same holder, and nobody without that key can supersede or revoke the holder's rids.
/// </summary>
public static class KeyRecordHolder
{
    /// <summary>The length of a holder identifier: 43 base64url characters (32 bytes).</summary>
    public const int Length = 43;

    /// <summary>The holder identifier of <paramref name="certificate"/>'s key.</summary>
    public static string Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Of(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    internal static string Of(ReadOnlySpan<byte> subjectPublicKeyInfo) => StrictBase64.EncodeUrl(SHA256.HashData(subjectPublicKeyInfo));
}
