using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>Every suite the library implements, and the keys tests need for them.</summary>
internal static class HpkeTestSuites
{
    public static readonly HpkeKem[] Kems = [HpkeKem.X25519HkdfSha256, HpkeKem.P256HkdfSha256, HpkeKem.P521HkdfSha512];

    public static readonly HpkeKdf[] Kdfs = [HpkeKdf.HkdfSha256, HpkeKdf.HkdfSha384, HpkeKdf.HkdfSha512];

    public static readonly HpkeAead[] Aeads = [HpkeAead.Aes128Gcm, HpkeAead.Aes256Gcm, HpkeAead.ChaCha20Poly1305, HpkeAead.ExportOnly];

    /// <summary>All 36 combinations (3 KEMs × 3 KDFs × 4 AEADs).</summary>
    public static IEnumerable<HpkeSuite> All =>
        from kem in Kems from kdf in Kdfs from aead in Aeads select HpkeSuite.Create(kem, kdf, aead);

    /// <summary>The 27 suites that seal and open messages.</summary>
    public static IEnumerable<HpkeSuite> Sealable => All.Where(s => !s.IsExportOnly);

    /// <summary>One suite per KEM and AEAD, for the byte-by-byte tests (each KEM's own hash for the KDF).</summary>
    public static IEnumerable<HpkeSuite> Representative =>
    [
        HpkeSuite.X25519Sha256ChaCha20Poly1305,
        HpkeSuite.X25519Sha256Aes128Gcm,
        HpkeSuite.P256Sha256Aes128Gcm,
        HpkeSuite.Create(HpkeKem.P256HkdfSha256, HpkeKdf.HkdfSha256, HpkeAead.ChaCha20Poly1305),
        HpkeSuite.Create(HpkeKem.P521HkdfSha512, HpkeKdf.HkdfSha512, HpkeAead.Aes256Gcm),
    ];

    public static TheoryData<string> Names(IEnumerable<HpkeSuite> suites)
    {
        var data = new TheoryData<string>();
        foreach (var suite in suites)
        {
            data.Add(suite.Name);
        }

        return data;
    }

    public static TheoryData<string> SealableNames() => Names(Sealable);

    public static TheoryData<string> RepresentativeNames() => Names(Representative);

    public static TheoryData<string> KemNames()
    {
        var data = new TheoryData<string>();
        foreach (var kem in Kems)
        {
            data.Add(kem.ToString());
        }

        return data;
    }
}
