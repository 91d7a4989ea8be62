using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// Reads the requested extensions of a PKCS #10 certification request (RFC 2986 §4.1, extensionRequest
/// attribute of RFC 2985 §5.4.2), for inspecting what a CSR asks an STI-CA to certify. .NET's
/// <see cref="CertificateRequest.LoadSigningRequest(byte[], HashAlgorithmName, CertificateRequestLoadOptions, RSASignaturePadding?)"/>
/// refuses any version but v1(0); this reader reports the version instead, so that a caller can name it
/// as the defect while still showing what the request carries.
/// </summary>
internal static class CertificationRequestReader
{
    public static (int Version, IReadOnlyList<X509Extension> Extensions) Read(ReadOnlyMemory<byte> der)
    {
        try
        {
            var request = new AsnReader(der, AsnEncodingRules.DER);
            var outer = request.ReadSequence();
            request.ThrowIfNotEmpty();
            var info = outer.ReadSequence();
            if (!info.TryReadInt32(out var version))
            {
                throw new CertificateFormatException("certification request", "version does not fit an INTEGER of 32 bits");
            }

            info.ReadEncodedValue(); // subject Name
            info.ReadEncodedValue(); // subjectPKInfo
            var extensions = new List<X509Extension>();
            var attributes = info.ReadSetOf(new Asn1Tag(TagClass.ContextSpecific, 0));
            info.ThrowIfNotEmpty();
            while (attributes.HasData)
            {
                var attribute = attributes.ReadSequence();
                var type = attribute.ReadObjectIdentifier();
                var values = attribute.ReadSetOf();
                attribute.ThrowIfNotEmpty();
                if (type != StirOids.ExtensionRequest)
                {
                    continue;
                }

                var list = values.ReadSequence();
                values.ThrowIfNotEmpty();
                while (list.HasData)
                {
                    var extension = list.ReadSequence();
                    var oid = extension.ReadObjectIdentifier();
                    var critical = false;
                    if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                    {
                        // DER (X.690 §11.5): a component equal to its DEFAULT is omitted, so an explicit FALSE is not DER.
                        critical = extension.ReadBoolean() ? true : throw new AsnContentException("extension critical FALSE is encoded (DER omits a DEFAULT value)");
                    }

                    var value = extension.ReadOctetString();
                    extension.ThrowIfNotEmpty();
                    extensions.Add(new X509Extension(oid, value, critical));
                }
            }

            outer.ReadEncodedValue(); // signatureAlgorithm
            outer.ReadBitString(out _);
            outer.ThrowIfNotEmpty();
            return (version, extensions);
        }
        catch (AsnContentException e)
        {
            throw new CertificateFormatException("certification request", $"not DER PKCS #10: {e.Message}", e);
        }
    }
}
