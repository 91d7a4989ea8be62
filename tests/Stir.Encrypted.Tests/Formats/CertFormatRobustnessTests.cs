using System.Formats.Asn1;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Certificates;
using static Stir.Encrypted.Tests.Formats.CertTestPki;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// Tamper, truncation and oversize for the other certificate formats: claim constraints DER (RFC 9118),
/// PEM chains and x5c arrays. Each fails with its own format exception, never another one.
/// </summary>
public sealed class CertFormatRobustnessTests
{
    private static readonly byte[] Figure2 = Convert.FromHexString("3040a00e300c160a636f6e666964656e6365a120301e301c160a636f6e666964656e6365300e0c04686967680c066d656469756da20c300a16087072696f72697479");

    [Fact]
    public void ClaimConstraints_FlipEachBit_GivesTheFormatExceptionOrAnotherValue()
    {
        for (var position = 0; position < Figure2.Length; position++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var tampered = (byte[])Figure2.Clone();
                tampered[position] ^= (byte)(1 << bit);
                try
                {
                    // Strict DER has one encoding per value: what decodes re-encodes to the tampered bytes, so it is another value.
                    var decoded = JwtClaimConstraints.DecodeEnhanced(tampered);
                    Assert.Equal(tampered, decoded.EncodeEnhanced());
                }
                catch (JwtClaimConstraintsFormatException)
                {
                }
            }
        }
    }

    [Fact]
    public void ClaimConstraints_EveryTruncation_IsRejected()
    {
        for (var length = 0; length < Figure2.Length; length++)
        {
            Assert.Throws<JwtClaimConstraintsFormatException>(() => JwtClaimConstraints.DecodeEnhanced(Figure2.AsSpan(0, length)));
        }
    }

    [Fact]
    public void ClaimConstraints_ThousandNames_RoundTrip()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true)))
        using (writer.PushSequence())
        {
            for (var i = 0; i < 1000; i++)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, $"claim{i}");
            }
        }

        var der = writer.Encode();
        var decoded = JwtClaimConstraints.DecodeEnhanced(der);

        Assert.Equal(1000, decoded.MustExclude.Count);
        Assert.Equal(der, decoded.EncodeEnhanced());
    }

    [Fact]
    public void PemChain_EveryTruncation_ReadsWholeBlocksOrFailsWithTheFormatException()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));
        var pem = Pem([pki.Intermediate.Certificate, pki.Root.Certificate]);
        for (var length = 0; length < pem.Length; length += 3)
        {
            try
            {
                var chain = CertificateChain.ParsePem(pem[..length]);
                var whole = chain.Count == 1 ? pem.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + 25 : pem.LastIndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + 25;
                Assert.True(length >= whole, $"{chain.Count} certificates from {length} characters");
                Assert.Equal(pki.Intermediate.Certificate.RawData, chain[0].RawData);
            }
            catch (CertificateFormatException)
            {
            }
        }
    }

    [Fact]
    public void PemChain_FlipEachBase64Character_FailsWithTheFormatExceptionOrReadsAnotherCertificate()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));
        var pem = pki.Root.Certificate.ExportCertificatePem();
        var body = pem.IndexOf('\n', StringComparison.Ordinal) + 1;
        for (var i = body; i < pem.LastIndexOf("-----END", StringComparison.Ordinal); i++)
        {
            if (pem[i] == '\n')
            {
                continue;
            }

            var tampered = pem[..i] + (pem[i] == 'A' ? 'B' : 'A') + pem[(i + 1)..];
            try
            {
                var certificate = Assert.Single(CertificateChain.ParsePem(tampered));
                Assert.NotEqual(pki.Root.Certificate.RawData, certificate.RawData);
            }
            catch (CertificateFormatException)
            {
            }
        }
    }

    [Fact]
    public void PemChain_OfElevenCertificates_IsOversize()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));
        var pem = string.Concat(Enumerable.Repeat(pki.Root.Certificate.ExportCertificatePem() + "\n", 11));

        var ex = Assert.Throws<CertificateFormatException>(() => CertificateChain.ParsePem(pem));

        Assert.Contains("certificate #11: more than 10 certificates", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void X5c_TamperedElements_FailWithTheFormatException()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));
        var x5c = Convert.ToBase64String(pki.Root.Certificate.RawData);
        var random = new Random(7515);
        for (var i = 0; i < x5c.Length; i += 2)
        {
            var chars = x5c.ToCharArray();
            chars[i] = chars[i] == '=' ? '-' : "=-_ ."[random.Next(5)];
            Assert.Throws<CertificateFormatException>(() => CertificateChain.ParseX5c([new string(chars)]));
        }

        Assert.Throws<CertificateFormatException>(() => CertificateChain.ParseX5c([x5c[..^4]]));
        Assert.Throws<CertificateFormatException>(() => CertificateChain.ParseX5c([.. Enumerable.Repeat(x5c, 11)]));
    }
}
