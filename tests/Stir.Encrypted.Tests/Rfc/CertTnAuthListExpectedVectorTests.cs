using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// certs/tnauthlist-expected.json: every certificate (and the one CSR) of zlint, libstirshaken, RFC 9118,
/// pyasn1-modules and 90 production STI certificates, loaded from its PEM through the library, gives exactly
/// the expected strict RFC 8226 decoding and ATIS-1000080 findings.
/// </summary>
public sealed class CertTnAuthListExpectedVectorTests
{
    private const string File = "certs/tnauthlist-expected.json";

    public static TheoryData<string> Files()
    {
        using var doc = VectorFiles.ReadJson(File);
        var data = new TheoryData<string>();
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            data.Add(row.GetProperty("file").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Vectors_All109FilesArePresent()
    {
        // README.upstream.md says 115 files; the JSON (and the certs/ folder) hold 109: 108 certificates and 1 CSR.
        Assert.Equal(109, Files().Count);
        Assert.Equal(109, Directory.GetFiles(VectorFiles.PathOf("certs"), "*.pem", SearchOption.AllDirectories).Length);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_GivesTheExpectedDecoding(string file)
    {
        using var doc = VectorFiles.ReadJson(File);
        var row = doc.RootElement.EnumerateArray().Single(r => r.GetProperty("file").GetString() == file);
        var pem = VectorFiles.ReadText(file);
        var expected = row.GetProperty("expected_decode");

        if (pem.Contains("BEGIN CERTIFICATE REQUEST", StringComparison.Ordinal))
        {
            CheckCertificationRequest(row, pem, expected);
            return;
        }

        var certificate = Assert.Single(CertificateChain.ParsePem(pem));
        Assert.Equal(row.GetProperty("sha256_der").GetString(), Convert.ToHexString(SHA256.HashData(certificate.RawData)).ToLowerInvariant());
        if (row.TryGetProperty("parse_note", out _))
        {
            // zlint's shakenCertV2.pem: Python 'cryptography' refuses version 2 (v2 cannot carry extensions,
            // RFC 5280 §4.1.2.1); .NET (OpenSSL) loads it and reports Version 2. We decode its TNAuthList as we would any.
            Assert.Equal(2, certificate.Version);
        }
        else
        {
            Assert.Equal(DateTimeOffset.Parse(row.GetProperty("not_before").GetString()!, System.Globalization.CultureInfo.InvariantCulture), new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero));
            Assert.Equal(DateTimeOffset.Parse(row.GetProperty("not_after").GetString()!, System.Globalization.CultureInfo.InvariantCulture), new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
            var ca = row.GetProperty("basic_constraints_ca");
            var basic = certificate.Extensions.OfType<X509BasicConstraintsExtension>().SingleOrDefault();
            Assert.Equal(ca.ValueKind == JsonValueKind.Null ? null : ca.GetBoolean(), basic?.CertificateAuthority);
        }

        var extension = certificate.Extensions[TNAuthList.Oid];
        Assert.Equal(row.GetProperty("tnauthlist_present").GetBoolean(), extension is not null);
        if (extension is not null)
        {
            Assert.Equal(row.GetProperty("tnauthlist_critical").GetBoolean(), extension.Critical);
            Assert.Equal(row.GetProperty("tnauthlist_der_hex").GetString(), Convert.ToHexString(extension.RawData).ToLowerInvariant());
        }

        TNAuthList? list = null;
        TNAuthListFormatException? error = null;
        try
        {
            list = TNAuthList.FromCertificate(certificate);
        }
        catch (TNAuthListFormatException e)
        {
            error = e;
        }

        CheckOutcome(row, expected, list, error);
    }

    private static void CheckCertificationRequest(JsonElement row, string pem, JsonElement expected)
    {
        // libstirshaken's csr.pem: version 2 (PKCS #10 defines only v1 = 0). .NET refuses to load it at all:
        Assert.Throws<CryptographicException>(() => CertificateRequest.LoadSigningRequestPem(
            pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation | CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions));

        // Our reader names the version as the defect and still shows what the request asks for.
        var fields = PemEncoding.Find(pem);
        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        var (version, extensions) = CertificationRequestReader.Read(der);
        Assert.Equal(2, version);
        var extension = Assert.Single(extensions, e => e.Oid!.Value == TNAuthList.Oid);
        Assert.Equal(row.GetProperty("tnauthlist_critical").GetBoolean(), extension.Critical);
        Assert.Equal(row.GetProperty("tnauthlist_der_hex").GetString(), Convert.ToHexString(extension.RawData).ToLowerInvariant());
        TNAuthList.TryDecode(extension.RawData, out var list, out var error);
        CheckOutcome(row, expected, list, error);
    }

    private static void CheckOutcome(JsonElement row, JsonElement expected, TNAuthList? list, TNAuthListFormatException? error)
    {
        if (expected.GetProperty("ok").GetBoolean())
        {
            Assert.Null(error);
            Assert.NotNull(list);
            Assert.Equal(TnAuthListExpectation.Entries(expected.GetProperty("entries")), TnAuthListExpectation.Entries(list));
            Assert.Equal(row.GetProperty("atis_1000080_errors").EnumerateArray().Select(e => e.GetString()!), list.GetAtisFindings());
            return;
        }

        Assert.Null(list);
        var expectedError = expected.GetProperty("error").GetString()!;
        if (expectedError == "no TNAuthList extension")
        {
            Assert.Null(error);
        }
        else
        {
            Assert.NotNull(error);
            TnAuthListExpectation.AssertSameRule(expectedError, error.Message);
        }
    }
}
