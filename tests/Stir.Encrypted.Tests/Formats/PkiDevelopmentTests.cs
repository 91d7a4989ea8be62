using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Certificates;
using static Stir.Encrypted.Tests.Formats.CertTestPki;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>The development PKI: certificate profile, time, files on disk and key hygiene.</summary>
public sealed class PkiDevelopmentTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stir-pki-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Certificates_HaveTheStirProfile()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));
        using var ee = pki.IssueEndEntity("sp", List("spc:709J"), TimeSpan.FromDays(30));

        var root = pki.Root.Certificate;
        var intermediate = pki.Intermediate.Certificate;
        var leaf = ee.Certificate;
        Assert.All([root, intermediate, leaf], c =>
        {
            Assert.Contains("O=Stir.Encrypted development PKI - NOT FOR PRODUCTION", c.Subject, StringComparison.Ordinal);
            Assert.Equal("1.2.840.10045.4.3.2", c.SignatureAlgorithm.Value); // ecdsa-with-SHA256
            Assert.Equal(3, c.Version);
            Assert.True(c.Extensions.OfType<X509BasicConstraintsExtension>().Single().Critical);
            Assert.True(c.Extensions.OfType<X509KeyUsageExtension>().Single().Critical);
        });
        Assert.Contains("DEVELOPMENT Root CA", root.Subject, StringComparison.Ordinal);
        Assert.Contains("CN=sp (DEVELOPMENT)", leaf.Subject, StringComparison.Ordinal);

        Assert.True(intermediate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, intermediate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);

        // RFC 9060 §4/§7: each AKI names the issuer's SKI.
        Assert.Equal(Ski(intermediate), Aki(leaf));
        Assert.Equal(Ski(root), Aki(intermediate));

        var list = leaf.Extensions[TNAuthList.Oid]!;
        Assert.False(list.Critical);
        Assert.Equal("3008a00616043730394a", Convert.ToHexString(list.RawData).ToLowerInvariant());
        Assert.Null(root.Extensions[TNAuthList.Oid]);
    }

    [Fact]
    public void Validity_ComesFromTheTimeProvider()
    {
        var time = new FakeTimeProvider(T0 + TimeSpan.FromMilliseconds(700));
        using var pki = DevelopmentPki.Create(time);
        time.Advance(TimeSpan.FromDays(1));
        using var ee = pki.IssueEndEntity("sp", List("spc:709J"), TimeSpan.FromHours(2));

        Assert.Equal(T0 - DevelopmentPki.Backdate, Utc(pki.Root.Certificate.NotBefore));
        Assert.Equal(T0 + DevelopmentPki.RootValidity, Utc(pki.Root.Certificate.NotAfter));
        Assert.Equal(T0 + DevelopmentPki.IntermediateValidity, Utc(pki.Intermediate.Certificate.NotAfter));
        Assert.Equal(T0 + TimeSpan.FromDays(1) - DevelopmentPki.Backdate, Utc(ee.Certificate.NotBefore));
        Assert.Equal(T0 + TimeSpan.FromDays(1) + TimeSpan.FromHours(2), Utc(ee.Certificate.NotAfter));
    }

    [Fact]
    public void Issue_OutlastingTheIssuer_IsRefused()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => pki.IssueEndEntity("long", List("spc:709J"), TimeSpan.FromDays(2000)));

        Assert.Contains("after its issuer expires", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue_FromAnEndEntity_IsRefused()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));
        using var ee = pki.IssueEndEntity("sp", List("spc:709J"), TimeSpan.FromDays(1));

        Assert.Throws<InvalidOperationException>(() => ee.IssueEndEntity("child", List("spc:709J"), TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../x")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    public void Issue_WithAnUnsafeName_IsRefused(string name)
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));

        Assert.ThrowsAny<ArgumentException>(() => pki.IssueEndEntity(name, List("spc:709J"), TimeSpan.FromDays(1)));
    }

    [Fact]
    public void SaveAndLoad_RoundTrip_WithOwnerOnlyKeys()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));
        using var ee = pki.IssueEndEntity("sp", List("range:12025550100+100"), TimeSpan.FromDays(30));
        pki.Save(_dir);
        ee.Save(_dir, "sp");

        using var loaded = DevelopmentPki.Load(_dir);
        using var loadedEe = DevelopmentCredential.Load(_dir, "sp");

        Assert.Equal(pki.Root.Certificate.RawData, loaded.Root.Certificate.RawData);
        Assert.Equal(pki.Intermediate.Certificate.RawData, loaded.Intermediate.Certificate.RawData);
        Assert.Equal(ee.Chain.Select(c => c.Thumbprint), loadedEe.Chain.Select(c => c.Thumbprint));
        Assert.Equal(pki.Root.Certificate.Thumbprint, loadedEe.Issuers[^1].Thumbprint);
        Assert.Equal(ee.PrivateKey.ExportSubjectPublicKeyInfo(), loadedEe.PrivateKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(2, CertificateChain.LoadPemFile(Path.Combine(_dir, "sp.chain.pem")).Count);
        Assert.Single(CertificateChain.LoadTrustAnchors(Path.Combine(_dir, "root.pem")));
        if (!OperatingSystem.IsWindows())
        {
            foreach (var key in Directory.GetFiles(_dir, "*.key.pem"))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
            }
        }

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(_dir, "sp.key.pem")), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithAnotherCertificatesKey_IsRefused()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));
        pki.Save(_dir);
        File.Copy(Path.Combine(_dir, "root.key.pem"), Path.Combine(_dir, "intermediate.key.pem"), overwrite: true);

        var ex = Assert.Throws<CertificateFormatException>(() => DevelopmentPki.Load(_dir));

        Assert.Contains("the key does not belong to", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ShowsNoKeyMaterial_AndDisposeReleasesTheKey()
    {
        using var pki = DevelopmentPki.Create(new FakeTimeProvider(T0));
        var ee = pki.IssueEndEntity("sp", List("spc:709J"), TimeSpan.FromDays(1));
        var pkcs8 = Convert.ToBase64String(ee.PrivateKey.ExportPkcs8PrivateKey());

        var text = ee.ToString() + pki;
        ee.Dispose();

        Assert.Contains("CN=sp (DEVELOPMENT)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(pkcs8[..16], text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", text, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => ee.PrivateKey);
    }

    private static DateTimeOffset Utc(DateTime local) => new(local.ToUniversalTime(), TimeSpan.Zero);

    private static string Ski(X509Certificate2 c) => c.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!;

    private static string Aki(X509Certificate2 c) => Convert.ToHexString(c.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.Span);
}
