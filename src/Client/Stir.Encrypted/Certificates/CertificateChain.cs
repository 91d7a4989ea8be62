using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// Reads certificates as STIR carries them: a PEM chain (the <c>x5u</c> media type
/// <c>application/pem-certificate-chain</c>, RFC 8555 §9.1; RFC 9060 §7), one DER certificate
/// (<c>application/pkix-cert</c>, RFC 2585), or a JWS <c>x5c</c> array (RFC 7515 §4.1.6). Every certificate
/// must be exactly one DER <c>Certificate</c>: nothing is skipped or repaired.
/// </summary>
public static class CertificateChain
{
    /// <summary>The most certificates a chain may hold; more is not a STIR chain but a resource attack.</summary>
    public const int MaxCertificates = 10;

    private const string CertificateLabel = "CERTIFICATE";

    /// <summary>
    /// Reads the <c>CERTIFICATE</c> blocks of PEM text, in order (for a chain: end entity first, RFC 9060 §7).
    /// </summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="allowExplanatoryText">
    /// Whether text outside the blocks is allowed (RFC 7468 §2 lets files carry it; RFC 8555 §9.1 forbids it in
    /// <c>application/pem-certificate-chain</c>, so the <c>x5u</c> fetcher passes false). A damaged block is
    /// never skipped as if it were text.
    /// </param>
    /// <exception cref="CertificateFormatException">No certificate, another PEM label, a damaged block, or a block that is not one DER certificate.</exception>
    public static IReadOnlyList<X509Certificate2> ParsePem(string pem, bool allowExplanatoryText = true)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var certificates = new List<X509Certificate2>();
        var rest = pem.AsSpan();
        while (true)
        {
            var item = $"certificate #{certificates.Count + 1}";
            if (!PemEncoding.TryFind(rest, out var fields))
            {
                CheckOutsideText(rest, allowExplanatoryText, item);
                break;
            }

            CheckOutsideText(rest[..fields.Location.Start], allowExplanatoryText, item);
            var label = rest[fields.Label].ToString();
            if (label != CertificateLabel)
            {
                throw new CertificateFormatException($"PEM block {certificates.Count + 1}", $"label '{label}' where only CERTIFICATE is allowed");
            }

            if (certificates.Count == MaxCertificates)
            {
                throw new CertificateFormatException(item, $"more than {MaxCertificates} certificates");
            }

            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out var written) || written != der.Length)
            {
                throw new CertificateFormatException(item, "PEM base64 does not decode");
            }

            certificates.Add(ParseDer(der, item));
            rest = rest[fields.Location.End.Value..];
        }

        if (certificates.Count == 0)
        {
            throw new CertificateFormatException("PEM", "no CERTIFICATE block found");
        }

        return certificates;
    }

    /// <summary>Reads a PEM file of certificates (explanatory text allowed, as in files <c>openssl</c> writes).</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="CertificateFormatException">The content is malformed; the message names the file.</exception>
    public static IReadOnlyList<X509Certificate2> LoadPemFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var text = File.ReadAllText(path);
        try
        {
            return ParsePem(text);
        }
        catch (CertificateFormatException e)
        {
            throw new CertificateFormatException($"{path}: {e.Item}", e.Rule, e);
        }
    }

    /// <summary>
    /// Reads trust anchors (the STI-PA's list of accepted roots, or a development root) from a PEM file.
    /// Each must be a CA certificate (basicConstraints cA=true), since it is trusted to issue.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="CertificateFormatException">The content is malformed, or a certificate is not a CA.</exception>
    public static IReadOnlyList<X509Certificate2> LoadTrustAnchors(string path)
    {
        var anchors = LoadPemFile(path);
        for (var i = 0; i < anchors.Count; i++)
        {
            if (anchors[i].Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            {
                throw new CertificateFormatException($"{path}: certificate #{i + 1}", $"{anchors[i].Subject} is not a CA certificate (basicConstraints cA=true) and cannot be a trust anchor");
            }
        }

        return anchors;
    }

    /// <summary>Reads a JWS <c>x5c</c> array: base64 (not base64url) DER certificates, end entity first (RFC 7515 §4.1.6).</summary>
    /// <exception cref="CertificateFormatException">The array is empty or too long, or an element is not base64 of one DER certificate.</exception>
    public static IReadOnlyList<X509Certificate2> ParseX5c(IReadOnlyList<string> x5c)
    {
        ArgumentNullException.ThrowIfNull(x5c);
        if (x5c.Count == 0)
        {
            throw new CertificateFormatException("x5c", "empty array (it holds at least the signing certificate)");
        }

        if (x5c.Count > MaxCertificates)
        {
            throw new CertificateFormatException("x5c", $"{x5c.Count} certificates (at most {MaxCertificates})");
        }

        var certificates = new List<X509Certificate2>(x5c.Count);
        for (var i = 0; i < x5c.Count; i++)
        {
            var item = $"x5c[{i}]";
            var text = x5c[i] ?? throw new CertificateFormatException(item, "null");
            var bad = text.AsSpan().IndexOfAnyExcept(Base64Alphabet);
            if (bad >= 0)
            {
                var hint = text[bad] is '-' or '_' ? " (x5c is base64, not base64url, RFC 7515 §4.1.6)" : string.Empty;
                throw new CertificateFormatException(item, $"character {CertificateText.Quote(text[bad].ToString())} at {bad} is not base64{hint}");
            }

            byte[] der;
            try
            {
                der = Convert.FromBase64String(text);
            }
            catch (FormatException e)
            {
                throw new CertificateFormatException(item, $"not base64: {e.Message}");
            }

            certificates.Add(ParseDer(der, item));
        }

        return certificates;
    }

    /// <summary>Reads one DER certificate (<c>application/pkix-cert</c>).</summary>
    /// <exception cref="CertificateFormatException">The bytes are not exactly one DER X.509 certificate.</exception>
    public static X509Certificate2 ParseDer(ReadOnlySpan<byte> der) => ParseDer(der, "certificate");

    internal static X509Certificate2 ParseDer(ReadOnlySpan<byte> der, string item)
    {
        if (der.IsEmpty)
        {
            throw new CertificateFormatException(item, "no bytes");
        }

        if (der[0] != 0x30)
        {
            throw new CertificateFormatException(item, $"expected a DER SEQUENCE (0x30), got 0x{der[0]:x2}");
        }

        try
        {
            AsnDecoder.ReadEncodedValue(der, AsnEncodingRules.DER, out _, out _, out var consumed);
            if (consumed != der.Length)
            {
                throw new CertificateFormatException(item, $"{der.Length - consumed} byte(s) after the certificate");
            }
        }
        catch (AsnContentException e)
        {
            throw new CertificateFormatException(item, $"not DER: {e.Message}", e);
        }

        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new CertificateFormatException(item, $"not an X.509 certificate: {e.Message}", e);
        }
    }

    private static void CheckOutsideText(ReadOnlySpan<char> text, bool allowExplanatoryText, string item)
    {
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            throw new CertificateFormatException(item, "damaged PEM block (BEGIN line without a matching END line, or invalid base64)");
        }

        if (!allowExplanatoryText && !text.IsWhiteSpace())
        {
            throw new CertificateFormatException(item, "text outside the PEM blocks (application/pem-certificate-chain allows none, RFC 8555 §9.1)");
        }
    }

    private static readonly System.Buffers.SearchValues<char> Base64Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
}
