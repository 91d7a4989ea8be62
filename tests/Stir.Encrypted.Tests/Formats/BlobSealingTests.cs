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
    public void SealToEveryHolder_EachHolderOpensItsOwn_AndNothingElseOpens()
    {
        var config = Config();
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);
        using var carrier = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var user = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var stranger = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);

        var blobs = BlobSealer.Seal(config, index, [Jws, Jws], [carrier.PublicKey, user.PublicKey]);
        var bucket = blobs.Select(b => (ReadOnlyMemory<byte>)b).Concat(Decoys(config, 5)).ToList();

        Assert.All(blobs, b => Assert.Equal(1024, b.Length));
        var byCarrier = BucketOpener.Open(index, bucket, [carrier]);
        var byUser = BucketOpener.Open(index, bucket, [stranger, user]);
        Assert.Equal([0], byCarrier.Select(o => o.BlobIndex));
        Assert.Equal([Jws, Jws], byCarrier[0].Passports);
        Assert.Equal([1], byUser.Select(o => o.BlobIndex));
        Assert.Equal(1, byUser[0].KeyIndex);
        Assert.Empty(BucketOpener.Open(index, bucket, [stranger]));
    }

    [Fact]
    [Trait("Claim", "TM-08")]
    public void BlobMovedToAnotherIndex_NeverOpens()
    {
        var config = Config();
        using var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);
        var blob = BlobSealer.Seal(config, index, [Jws], [key.PublicKey])[0];

        Assert.Empty(BucketOpener.Open(BlobIndex.Derive(config.Index, Alice, Bob, 8), [blob], [key]));                         // replayed in a later epoch
        Assert.Empty(BucketOpener.Open(BlobIndex.Derive(config.Index, Bob, Bob, 7), [blob], [key]));                           // claimed for another caller
        Assert.Empty(BucketOpener.Open(BlobIndex.Derive(config.Index, Alice, TelephoneNumber.ParseCanonical("1"), 7), [blob], [key])); // another callee
        Assert.Single(BucketOpener.Open(index, [blob], [key]));
    }

    [Fact]
    public void Seal_PicksTheSmallestClassThatFits()
    {
        var config = Config(new SizeClass(256, 4), new SizeClass(2048, 4));
        using var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 1);

        Assert.Equal(256, BlobSealer.Seal(config, index, [Jws], [key.PublicKey])[0].Length);
        Assert.Equal(2048, BlobSealer.Seal(config, index, Enumerable.Repeat(Jws, 8).ToList(), [key.PublicKey])[0].Length);
        var ex = Assert.Throws<ArgumentException>(() => BlobSealer.Seal(config, index, Enumerable.Repeat(Jws, 16).Select(j => j + new string('A', 200)).ToList(), [key.PublicKey]));
        Assert.Contains("largest class carries", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_TooManyHolders_OrNone_Throws()
    {
        var config = Config();
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 1);
        var keys = Enumerable.Range(0, 9).Select(_ => HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256).PublicKey).ToList();

        Assert.Contains("at most 8", Assert.Throws<ArgumentException>(() => BlobSealer.Seal(config, index, [Jws], keys)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => BlobSealer.Seal(config, index, [Jws], []));
    }

    [Fact]
    public void Open_BlobForMeWithBadPlaintext_IsReportedNotDropped()
    {
        var config = Config();
        using var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 1);
        var garbage = new byte[1024 - 48];
        garbage[0] = 9;
        var blob = BlobSealer.Suite.Seal(key.PublicKey, index.HpkeInfo(), [], garbage);

        var opened = Assert.Single(BucketOpener.Open(index, [blob], [key]));

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
