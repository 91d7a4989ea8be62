using System.Buffers.Binary;
using System.Security.Cryptography;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// The labelled HKDF functions of RFC 9180 §4. HKDF-SHA256 runs in libsodium and the others in the BCL
/// (Kdf.cs says why), so every KDF is checked here against the BCL's <see cref="HKDF"/> applied to the
/// labelled inputs as RFC 9180 §4 spells them, over seeded random inputs that cross the stack/pooled buffer
/// boundary, empty and long salts, and Expand lengths up to 255 · Nh.
/// </summary>
public sealed class HpkeKdfTests
{
    public static TheoryData<HpkeKdf> Kdfs() => [HpkeKdf.HkdfSha256, HpkeKdf.HkdfSha384, HpkeKdf.HkdfSha512];

    [Theory]
    [MemberData(nameof(Kdfs))]
    public void LabeledExtract_ForRandomInputs_EqualsBclHkdfOfTheLabelledIkm(HpkeKdf id)
    {
        var kdf = Kdf.For(id);
        var random = new Random(9180);
        for (var i = 0; i < 300; i++)
        {
            var suiteId = Bytes(random, random.Next(0, 11));
            var label = Bytes(random, random.Next(0, 20));
            var ikm = Bytes(random, i % 3 == 0 ? random.Next(0, 8) : random.Next(0, 600));
            var salt = Bytes(random, i % 4 == 0 ? 0 : random.Next(1, 200));
            var prk = new byte[kdf.Nh];

            kdf.LabeledExtract(suiteId, salt, label, ikm, prk);

            byte[] labeledIkm = [.. "HPKE-v1"u8, .. suiteId, .. label, .. ikm];
            Assert.Equal(HKDF.Extract(kdf.Hash, labeledIkm, salt), prk);
        }
    }

    [Theory]
    [MemberData(nameof(Kdfs))]
    public void LabeledExpand_ForRandomInputs_EqualsBclHkdfOfTheLabelledInfo(HpkeKdf id)
    {
        var kdf = Kdf.For(id);
        var random = new Random(5869);
        for (var i = 0; i < 300; i++)
        {
            var suiteId = Bytes(random, random.Next(0, 11));
            var label = Bytes(random, random.Next(0, 20));
            var info = Bytes(random, i % 3 == 0 ? random.Next(0, 8) : random.Next(0, 600));
            var prk = Bytes(random, i % 5 == 0 ? random.Next(kdf.Nh, 3 * kdf.Nh) : kdf.Nh);
            var length = i % 7 == 0 ? kdf.MaxExpandLength - random.Next(0, 40) : random.Next(1, 3 * kdf.Nh);
            var output = new byte[length];

            kdf.LabeledExpand(suiteId, prk, label, info, output);

            var length16 = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length16, (ushort)length);
            byte[] labeledInfo = [.. length16, .. "HPKE-v1"u8, .. suiteId, .. label, .. info];
            Assert.Equal(HKDF.Expand(kdf.Hash, prk, length, labeledInfo), output);
        }
    }

    [Theory]
    [MemberData(nameof(Kdfs))]
    public void LabeledExpand_AtTheMaximumLength_EqualsBclAndOneMoreIsRefused(HpkeKdf id)
    {
        var kdf = Kdf.For(id);
        var prk = Bytes(new Random(7), kdf.Nh);
        var output = new byte[kdf.MaxExpandLength];

        kdf.LabeledExpand("KEM\0 "u8, prk, "exp"u8, "context"u8, output);

        byte[] labeledInfo = [(byte)(output.Length >> 8), (byte)output.Length, .. "HPKE-v1"u8, .. "KEM\0 "u8, .. "exp"u8, .. "context"u8];
        Assert.Equal(HKDF.Expand(kdf.Hash, prk, output.Length, labeledInfo), output);
        Assert.Throws<ArgumentOutOfRangeException>(() => kdf.LabeledExpand("KEM\0 "u8, prk, "exp"u8, "context"u8, new byte[kdf.MaxExpandLength + 1]));
    }

    [Fact]
    public void EmptyPskIdHash_OfEverySuite_IsTheLabelledExtractOfTheEmptyPskId()
    {
        foreach (var suite in HpkeTestSuites.All)
        {
            var expected = new byte[suite.KdfAlgorithm.Nh];
            byte[] labeledIkm = [.. "HPKE-v1"u8, .. suite.SuiteId, .. "psk_id_hash"u8];
            HKDF.Extract(suite.KdfAlgorithm.Hash, labeledIkm, [], expected);

            Assert.Equal(expected, suite.EmptyPskIdHash.ToArray());
        }
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
