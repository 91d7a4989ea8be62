using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>Suite names (configuration, command line) and the sizes a suite implies.</summary>
public sealed class HpkeSuiteTests
{
    public static TheoryData<string, string> MalformedNames() => new()
    {
        { "", "suite name: \"\" is not <kem>-<kdf>-<aead>" },
        { "x25519", "suite name: \"x25519\" is not <kem>-<kdf>-<aead>" },
        { "x25519-sha256", "suite name: \"x25519-sha256\" is not <kem>-<kdf>-<aead>" },
        { "x25519-sha256-chacha20-poly1305", "is not <kem>-<kdf>-<aead>" },
        { "x448-sha512-aes256gcm", "suite name: unknown KEM \"x448\" in \"x448-sha512-aes256gcm\" (expected x25519, p256 or p521)" },
        { "p384-sha384-aes256gcm", "unknown KEM \"p384\"" },
        { "x25519-sha1-aes128gcm", "suite name: unknown KDF \"sha1\" in \"x25519-sha1-aes128gcm\" (expected sha256, sha384 or sha512)" },
        { "x25519-sha256-aes192gcm", "suite name: unknown AEAD \"aes192gcm\" in \"x25519-sha256-aes192gcm\" (expected aes128gcm, aes256gcm, chacha20poly1305 or exportonly)" },
        { " x25519-sha256-aes128gcm", "unknown KEM \" x25519\"" },
    };

    [Fact]
    public void Name_OfEverySuite_ParsesBackToIt()
    {
        var suites = HpkeTestSuites.All.ToList();
        Assert.Equal(36, suites.Count);
        Assert.Equal(36, suites.Select(s => s.Name).Distinct().Count());

        foreach (var suite in suites)
        {
            Assert.Equal(suite, HpkeSuite.Parse(suite.Name));
            Assert.Equal(suite, HpkeSuite.Parse(suite.Name.ToUpperInvariant()));
            Assert.Equal(suite.Name, suite.ToString());
        }
    }

    [Fact]
    public void WellKnownSuites_HaveTheirNamesAndIds()
    {
        Assert.Equal("x25519-sha256-chacha20poly1305", HpkeSuite.X25519Sha256ChaCha20Poly1305.Name);
        Assert.Equal("x25519-sha256-aes128gcm", HpkeSuite.X25519Sha256Aes128Gcm.Name);
        Assert.Equal("p256-sha256-aes128gcm", HpkeSuite.P256Sha256Aes128Gcm.Name);
        Assert.Same(HpkeSuite.X25519Sha256ChaCha20Poly1305, HpkeSuite.Parse("x25519-sha256-chacha20poly1305"));
        Assert.Equal(0x0020, (int)HpkeSuite.X25519Sha256ChaCha20Poly1305.Kem);
        Assert.Equal(0x0001, (int)HpkeSuite.X25519Sha256ChaCha20Poly1305.Kdf);
        Assert.Equal(0x0003, (int)HpkeSuite.X25519Sha256ChaCha20Poly1305.Aead);
        Assert.Equal("HPKE\0\u0010\0\u0001\0\u0001"u8.ToArray(), HpkeSuite.P256Sha256Aes128Gcm.SuiteId.ToArray());
    }

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public void Parse_Malformed_ThrowsHpkeFormatException_NamingThePart(string name, string expected)
    {
        var error = Assert.Throws<HpkeFormatException>(() => HpkeSuite.Parse(name));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("suite name", error.Subject);
        Assert.False(HpkeSuite.TryParse(name, out var suite, out var same));
        Assert.Null(suite);
        Assert.Equal(error.Message, same!.Message);
    }

    [Theory]
    [InlineData("x25519-sha256-chacha20poly1305", 32, 16)]
    [InlineData("x25519-sha512-aes256gcm", 32, 16)]
    [InlineData("p256-sha256-aes128gcm", 65, 16)]
    [InlineData("p521-sha512-aes256gcm", 133, 16)]
    public void Sizes_FollowFromTheSuite(string name, int nenc, int nt)
    {
        var suite = HpkeSuite.Parse(name);

        Assert.Equal(nenc, suite.EncapsulatedKeySize);
        Assert.Equal(nt, suite.TagSize);
        Assert.Equal(nenc + 100 + nt, suite.CiphertextSize(100));
        Assert.Equal(100, suite.PlaintextSize(nenc + 100 + nt));
        Assert.Equal(0, suite.PlaintextSize(nenc + nt));
        Assert.Equal(0, suite.PlaintextSize(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => suite.CiphertextSize(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => suite.PlaintextSize(-1));
    }

    [Fact]
    public void ExportOnlySuite_HasNoMessageSizes()
    {
        var suite = HpkeSuite.Parse("p256-sha256-exportonly");

        Assert.True(suite.IsExportOnly);
        Assert.Equal(0, suite.TagSize);
        Assert.Throws<InvalidOperationException>(() => suite.CiphertextSize(10));
        Assert.Throws<InvalidOperationException>(() => suite.PlaintextSize(10));
    }

    [Fact]
    public void Create_UnknownIdentifier_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HpkeSuite.Create((HpkeKem)0x0021, HpkeKdf.HkdfSha512, HpkeAead.Aes256Gcm));
        Assert.Throws<ArgumentOutOfRangeException>(() => HpkeSuite.Create(HpkeKem.X25519HkdfSha256, (HpkeKdf)0, HpkeAead.Aes256Gcm));
        Assert.Throws<ArgumentOutOfRangeException>(() => HpkeSuite.Create(HpkeKem.X25519HkdfSha256, HpkeKdf.HkdfSha256, (HpkeAead)0));
    }
}
