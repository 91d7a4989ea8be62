using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// RFC 9180 Appendix A, all 28 rows (7 suites × 4 modes): key derivation, encapsulation, key schedule,
/// every encryption at its sequence number, every export, and the single-shot API.
/// </summary>
public sealed class HpkeRfc9180VectorTests
{
    // Suites (kem_id, kdf_id, aead_id) of Appendix A that this library does not implement. Empty: all 7
    // are implemented. A change in coverage must change this list, and so this test file, on purpose.
    private static readonly (int Kem, int Kdf, int Aead)[] ExpectedUnimplementedSuites = [];

    private static readonly Lazy<IReadOnlyList<HpkeVector>> Vectors = new(HpkeVector.LoadAll);

    /// <summary>The rows of implemented suites; the others are counted by Vectors_UnimplementedSuites_AreExactlyTheExpectedList.</summary>
    public static TheoryData<int> Rows()
    {
        var data = new TheoryData<int>();
        foreach (var row in Vectors.Value.Where(r => ToSuite(r) is not null))
        {
            data.Add(row.Index);
        }

        return data;
    }

    [Fact]
    public void Vectors_AllTwentyEightRowsLoad_SevenSuitesTimesFourModes()
    {
        var rows = Vectors.Value;

        Assert.Equal(28, rows.Count);
        Assert.Equal(7, rows.Select(r => (r.KemId, r.KdfId, r.AeadId)).Distinct().Count());
        foreach (var suite in rows.GroupBy(r => (r.KemId, r.KdfId, r.AeadId)))
        {
            Assert.Equal([0, 1, 2, 3], suite.Select(r => r.Mode).Order());
        }
    }

    [Fact]
    public void Vectors_UnimplementedSuites_AreExactlyTheExpectedList()
    {
        var rows = Vectors.Value;
        var unimplemented = rows.Where(r => ToSuite(r) is null).Select(r => (r.KemId, r.KdfId, r.AeadId)).Distinct().Order().ToArray();

        Assert.Equal(ExpectedUnimplementedSuites, unimplemented);
        Assert.Equal(28 - (4 * ExpectedUnimplementedSuites.Length), Rows().Count);
        Assert.Equal(rows.Count, Rows().Count + rows.Count(r => ToSuite(r) is null));
    }

    [Fact]
    public void Vectors_RowWithUnknownField_FailsToLoad()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("""[{"mode":0,"kem_id":32,"surprise":"00"}]""");
        var error = Assert.Throws<InvalidDataException>(() => HpkeVector.Parse(0, doc.RootElement[0]));
        Assert.Contains("unexpected [surprise]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void DeriveKeyPair_GivesTheVectorKeys(int index)
    {
        var v = Row(index, out var suite);
        var kem = suite.KemAlgorithm;

        AssertDerivedPair(kem, v.IkmE, v.SkEm, v.PkEm);
        AssertDerivedPair(kem, v.IkmR, v.SkRm, v.PkRm);
        if (v.IsAuthMode)
        {
            AssertDerivedPair(kem, v.IkmS!, v.SkSm!, v.PkSm!);
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void EncapWithSkE_GivesEncAndSharedSecret_AndDecapRecoversIt(int index)
    {
        var v = Row(index, out var suite);
        var kem = suite.KemAlgorithm;
        using var skE = HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmE);
        using var skR = HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmR);
        using var skS = v.IsAuthMode ? HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmS!) : null;
        var pkR = HpkePublicKey.Import(suite.Kem, v.PkRm);

        var enc = new byte[kem.Nenc];
        var sharedSecret = new byte[kem.Nsecret];
        kem.Encap(pkR.Bytes, skS?.Key, skE.Key, enc, sharedSecret);

        Assert.Equal(Convert.ToHexString(v.Enc), Convert.ToHexString(enc));
        Assert.Equal(Convert.ToHexString(v.SharedSecret), Convert.ToHexString(sharedSecret));

        var decapsulated = new byte[kem.Nsecret];
        Assert.True(kem.TryDecap(v.Enc, skR.Key, v.IsAuthMode ? v.PkSm : default, v.IsAuthMode, decapsulated));
        Assert.Equal(Convert.ToHexString(v.SharedSecret), Convert.ToHexString(decapsulated));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void KeySchedule_GivesContextSecretKeyNonceAndExporterSecret(int index)
    {
        var v = Row(index, out var suite);
        var nh = suite.KdfAlgorithm.Nh;
        var context = new byte[1 + (2 * nh)];
        var secret = new byte[nh];
        var key = new byte[suite.AeadAlgorithm.Nk];
        var baseNonce = new byte[suite.AeadAlgorithm.Nn];
        var exporterSecret = new byte[nh];

        KeySchedule.Derive(suite, (HpkeMode)v.Mode, v.SharedSecret, v.Info, v.Psk, v.PskId, context, secret, key, baseNonce, exporterSecret);

        Assert.Equal(Convert.ToHexString(v.KeyScheduleContext), Convert.ToHexString(context));
        Assert.Equal(Convert.ToHexString(v.Secret), Convert.ToHexString(secret));
        Assert.Equal(Convert.ToHexString(v.Key), Convert.ToHexString(key));
        Assert.Equal(Convert.ToHexString(v.BaseNonce), Convert.ToHexString(baseNonce));
        Assert.Equal(Convert.ToHexString(v.ExporterSecret), Convert.ToHexString(exporterSecret));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Contexts_SealEachEncryptionAtItsSequenceNumber_AndOpenIt(int index)
    {
        var v = Row(index, out var suite);
        using var skE = HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmE);
        using var skR = HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmR);
        using var skS = v.IsAuthMode ? HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmS!) : null;
        var pkR = HpkePublicKey.Import(suite.Kem, v.PkRm);
        var pkS = v.IsAuthMode ? HpkePublicKey.Import(suite.Kem, v.PkSm!) : null;

        using var sender = suite.SetupSender(pkR, v.Info, v.Psk, v.PskId, skS, skE);
        Assert.Equal(Convert.ToHexString(v.Enc), Convert.ToHexString(sender.EncapsulatedKey));
        Assert.True(suite.TrySetupRecipient(skR, v.Enc, v.Info, v.Psk, v.PskId, pkS, out var recipient));
        using (recipient)
        {
            if (suite.IsExportOnly)
            {
                Assert.Empty(v.Encryptions);
                Assert.Throws<InvalidOperationException>(() => sender.Seal([], [1, 2, 3]));
                Assert.Throws<InvalidOperationException>(() => recipient.TryOpen([], new byte[16], out _));
                return;
            }

            Assert.Equal([0UL, 1, 2, 4, 255, 256], v.Encryptions.Select(e => e.SequenceNumber));
            var bySequence = v.Encryptions.ToDictionary(e => e.SequenceNumber);
            var last = v.Encryptions.Max(e => e.SequenceNumber);

            // Walk every sequence number in order, as a real conversation would: the ones the RFC prints
            // must match it exactly; the others carry a message of our own that must round-trip.
            for (var seq = 0UL; seq <= last; seq++)
            {
                Assert.Equal(seq, sender.SequenceNumber);
                Assert.Equal(seq, recipient.SequenceNumber);
                if (bySequence.TryGetValue(seq, out var e))
                {
                    var nonce = new byte[12];
                    KeySchedule.ComputeNonce(v.BaseNonce, seq, nonce);
                    Assert.Equal(Convert.ToHexString(e.Nonce), Convert.ToHexString(nonce));

                    var ct = sender.Seal(e.Aad, e.Pt);
                    Assert.Equal(Convert.ToHexString(e.Ct), Convert.ToHexString(ct));
                    Assert.True(recipient.TryOpen(e.Aad, e.Ct, out var pt));
                    Assert.Equal(Convert.ToHexString(e.Pt), Convert.ToHexString(pt));
                }
                else
                {
                    var filler = BitConverter.GetBytes(seq);
                    var ct = sender.Seal("filler"u8, filler);
                    Assert.True(recipient.TryOpen("filler"u8, ct, out var pt));
                    Assert.Equal(filler, pt);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Contexts_ExportEveryVectorValue_OnBothSides(int index)
    {
        var v = Row(index, out var suite);
        using var skE = HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmE);
        using var skR = HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmR);
        using var skS = v.IsAuthMode ? HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmS!) : null;
        var pkS = v.IsAuthMode ? HpkePublicKey.Import(suite.Kem, v.PkSm!) : null;

        using var sender = suite.SetupSender(HpkePublicKey.Import(suite.Kem, v.PkRm), v.Info, v.Psk, v.PskId, skS, skE);
        Assert.True(suite.TrySetupRecipient(skR, v.Enc, v.Info, v.Psk, v.PskId, pkS, out var recipient));
        using (recipient)
        {
            Assert.Equal(3, v.Exports.Count);
            foreach (var export in v.Exports)
            {
                Assert.Equal(Convert.ToHexString(export.ExportedValue), Convert.ToHexString(sender.Export(export.ExporterContext, export.L)));
                Assert.Equal(Convert.ToHexString(export.ExportedValue), Convert.ToHexString(recipient.Export(export.ExporterContext, export.L)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void SingleShot_SealsFirstEncryptionAsEncThenCt_AndOpensIt(int index)
    {
        var v = Row(index, out var suite);
        if (suite.IsExportOnly)
        {
            Assert.Throws<ArgumentException>(() => suite.Seal(HpkePublicKey.Import(suite.Kem, v.PkRm), v.Info, [], [1]));
            return;
        }

        using var skE = HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmE);
        using var skR = HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmR);
        using var skS = v.IsAuthMode ? HpkePrivateKey.DeriveKeyPair(suite.Kem, v.IkmS!) : null;
        var pkS = v.IsAuthMode ? HpkePublicKey.Import(suite.Kem, v.PkSm!) : null;
        var first = v.Encryptions.Single(e => e.SequenceNumber == 0);

        var blob = new byte[suite.CiphertextSize(first.Pt.Length)];
        suite.Seal(HpkePublicKey.Import(suite.Kem, v.PkRm), v.Info, first.Aad, first.Pt, blob, v.Psk, v.PskId, skS, skE);
        Assert.Equal(Convert.ToHexString([.. v.Enc, .. first.Ct]), Convert.ToHexString(blob));

        var pt = new byte[suite.PlaintextSize(blob.Length)];
        Assert.True(suite.TryOpen(skR, v.Info, first.Aad, blob, pt, v.Psk, v.PskId, pkS));
        Assert.Equal(Convert.ToHexString(first.Pt), Convert.ToHexString(pt));

        if (v.Mode == 0)
        {
            // The public base-mode API opens the RFC's message too.
            Assert.True(suite.TryOpen(skR, v.Info, first.Aad, blob, out var opened));
            Assert.Equal(first.Pt, opened);
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void ImportedVectorKeys_ExportAsSerialised(int index)
    {
        var v = Row(index, out var suite);
        var expectedSk = SerializedPrivateKey(suite.Kem, v.SkRm);

        using var imported = HpkePrivateKey.Import(suite.Kem, v.SkRm);

        Assert.Equal(Convert.ToHexString(v.PkRm), Convert.ToHexString(imported.PublicKey.Export()));
        Assert.Equal(Convert.ToHexString(expectedSk), Convert.ToHexString(imported.Export()));
        Assert.Equal(v.PkRm, HpkePublicKey.Import(suite.Kem, v.PkRm).Export());
    }

    private static HpkeVector Row(int index, out HpkeSuite suite)
    {
        var v = Vectors.Value[index];
        suite = ToSuite(v) ?? throw new InvalidOperationException($"{v}: suite not implemented, so not in Rows()");
        return v;
    }

    private static HpkeSuite? ToSuite(HpkeVector v)
    {
        try
        {
            return HpkeSuite.Create((HpkeKem)v.KemId, (HpkeKdf)v.KdfId, (HpkeAead)v.AeadId);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    // RFC 9180 §7.1.2: SerializePrivateKey clamps X25519 keys; the vectors print sk unclamped, as
    // DeriveKeyPair's pseudocode returns it.
    private static byte[] SerializedPrivateKey(HpkeKem kem, byte[] sk)
    {
        var copy = (byte[])sk.Clone();
        if (kem == HpkeKem.X25519HkdfSha256)
        {
            X25519.Clamp(copy);
        }

        return copy;
    }

    private static void AssertDerivedPair(Dhkem kem, byte[] ikm, byte[] expectedSk, byte[] expectedPk)
    {
        var sk = new byte[kem.Nsk];
        kem.DeriveSecretKey(ikm, sk);
        Assert.Equal(Convert.ToHexString(expectedSk), Convert.ToHexString(sk));

        using var pair = HpkePrivateKey.DeriveKeyPair(kem.Id, ikm);
        Assert.Equal(Convert.ToHexString(expectedPk), Convert.ToHexString(pair.PublicKey.Export()));
        Assert.Equal(Convert.ToHexString(SerializedPrivateKey(kem.Id, expectedSk)), Convert.ToHexString(pair.Export()));
    }
}
