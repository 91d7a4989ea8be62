using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Formats;

public sealed class BlobSealingTests
{
    private const string Jws = "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9.c2lnbmF0dXJl";
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseCanonical("12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseCanonical("13035550100");

    internal static CpsConfiguration Config(params SizeClass[] classes) => new(BlobIndexTests.Cheap, classes.Length == 0 ? [new SizeClass(1024, 8)] : classes, RetentionPolicy.Default, false, 8, 5);

    [Fact]
    [Trait("Claim", "TM-08")]
    public void EachHolder_HasItsOwnIndex_AndOpensOnlyItsOwnBlob()
    {
        var config = Config();
        using var carrier = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var user = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var carrierIndex = BlobIndex.Derive(config.Index, Alice, Bob, 7, carrier.PublicKey);
        var userIndex = BlobIndex.Derive(config.Index, Alice, Bob, 7, user.PublicKey);

        var forCarrier = BlobSealer.Seal(config, carrierIndex, [Jws, Jws], carrier.PublicKey);
        var forUser = BlobSealer.Seal(config, userIndex, [Jws, Jws], user.PublicKey);
        var bucket = new ReadOnlyMemory<byte>[] { forCarrier, forUser }.Concat(Decoys(config, 5)).ToList();

        Assert.False(carrierIndex.Tag.SequenceEqual(userIndex.Tag));
        Assert.Equal(1024, forCarrier.Length);
        var byCarrier = Assert.Single(BucketOpener.Open(carrierIndex, bucket, carrier));
        Assert.Equal(0, byCarrier.BlobIndex);
        Assert.Equal([Jws, Jws], byCarrier.Passports);
        Assert.Equal(1, Assert.Single(BucketOpener.Open(userIndex, bucket, user)).BlobIndex);
        Assert.Empty(BucketOpener.Open(carrierIndex, bucket, user));   // the user's key under the carrier's index
        Assert.Empty(BucketOpener.Open(userIndex, [forCarrier], carrier));
    }

    [Fact]
    [Trait("Claim", "TM-08")]
    public void BlobMovedToAnotherIndex_NeverOpens()
    {
        var config = Config();
        using var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var pk = key.PublicKey;
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7, pk);
        var blob = BlobSealer.Seal(config, index, [Jws], pk);

        Assert.Empty(BucketOpener.Open(BlobIndex.Derive(config.Index, Alice, Bob, 8, pk), [blob], key));                         // replayed in a later epoch
        Assert.Empty(BucketOpener.Open(BlobIndex.Derive(config.Index, Bob, Bob, 7, pk), [blob], key));                           // claimed for another caller
        Assert.Empty(BucketOpener.Open(BlobIndex.Derive(config.Index, Alice, TelephoneNumber.ParseCanonical("1"), 7, pk), [blob], key)); // another callee
        Assert.Single(BucketOpener.Open(index, [blob], key));
    }

    [Fact]
    public void Seal_PicksTheSmallestClassThatFits()
    {
        var config = Config(new SizeClass(256, 4), new SizeClass(2048, 4));
        using var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 1, key.PublicKey);

        Assert.Equal(256, BlobSealer.Seal(config, index, [Jws], key.PublicKey).Length);
        Assert.Equal(2048, BlobSealer.Seal(config, index, Enumerable.Repeat(Jws, 8).ToList(), key.PublicKey).Length);
        var ex = Assert.Throws<ArgumentException>(() => BlobSealer.Seal(config, index, Enumerable.Repeat(Jws, 16).Select(j => j + new string('A', 200)).ToList(), key.PublicKey));
        Assert.Contains("largest class carries", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_ToAKeyOfAnotherKem_Throws()
    {
        var config = Config();
        using var p256 = HpkePrivateKey.Generate(HpkeKem.P256HkdfSha256);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 1, p256.PublicKey);

        Assert.Contains("x25519", Assert.Throws<ArgumentException>(() => BlobSealer.Seal(config, index, [Jws], p256.PublicKey)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BlobForMeWithBadPlaintext_IsReportedNotDropped()
    {
        var config = Config();
        using var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 1, key.PublicKey);
        var garbage = new byte[1024 - 48];
        garbage[0] = 9;
        var blob = BlobSealer.Suite.Seal(key.PublicKey, index.HpkeInfo(), [], garbage);

        var opened = Assert.Single(BucketOpener.Open(index, [blob], key));

        Assert.Empty(opened.Passports);
        Assert.Contains("version is 9", opened.FormatError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3600 * 10 + 30, new ulong[] { 10, 9 })]          // 30 s into epoch 10: a blob from epoch 9 may still live
    [InlineData(3600 * 10 + 600, new ulong[] { 10 })]            // well inside
    [InlineData((3600 * 11) - 3, new ulong[] { 10, 11 })]        // 3 s before the boundary: a fast caller may be in 11
    public void CandidateEpochs_CoverBoundariesAndSkew(long unix, ulong[] expected)
    {
        var epochs = BlobIndexTests.Cheap.CandidateEpochs(DateTimeOffset.FromUnixTimeSeconds(unix), maxRetentionSeconds: 60, skewSeconds: 5);

        Assert.Equal(expected, epochs);
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Decoys(CpsConfiguration config, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var throwaway = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
            yield return BlobSealer.Suite.Seal(throwaway.PublicKey, new byte[8], [], new byte[config.Classes[0].PlaintextSize]);
        }
    }
}
