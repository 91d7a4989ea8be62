using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// The keys that passport/external-examples.json names in "signature_valid_under", mapped to the files
/// under Vectors/. A key name the harness does not know fails the test.
/// </summary>
internal static class PassportVectorKeys
{
    public static ECDsa Load(string name) => name switch
    {
        "rfc8225-A2-public" => PublicFromPem("passport/keys/rfc8225-appendix-A2-public.pem"),
        "rfc8225-A1-private-derived-public" => PublicOfPrivate("passport/keys/rfc8225-appendix-A1-private.pem"),
        "rfc8946-A-public" => PublicFromPem("passport/keys/rfc8946-appendix-A-public.pem"),
        "libstirshaken-sp.pem" => PublicFromCertificate("certs/libstirshaken/sp.pem"),
        "libstirshaken-pa.pem" => PublicFromCertificate("certs/libstirshaken/pa.pem"),
        "libstirshaken-wrongsp.pem" => PublicFromCertificate("certs/libstirshaken/wrongsp.pem"),
        _ => throw new InvalidOperationException($"key name not understood by the harness: {name}"),
    };

    public static ECDsa PublicFromPem(string relative)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(VectorFiles.ReadText(relative));
        return key;
    }

    public static ECDsa PublicFromCertificate(string relative)
    {
        using var certificate = X509Certificate2.CreateFromPem(VectorFiles.ReadText(relative));
        return certificate.GetECDsaPublicKey()!;
    }

    private static ECDsa PublicOfPrivate(string relative)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(VectorFiles.ReadText(relative));
        return ECDsa.Create(key.ExportParameters(includePrivateParameters: false));
    }
}
