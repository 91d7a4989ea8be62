using System.Buffers.Binary;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Formats;

public sealed class BlobIndexTests
{
    // Cheap Argon2id so the property loops run fast; one test below uses the defaults.
    internal static readonly IndexParameters Cheap = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), memoryKiB: 8, iterations: 1, bucketBits: 14, epochSeconds: 3600);

    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseE164("+12025550100");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+12025550123");

    [Fact]
    public void Derive_IsDeterministic_AndBucketIsTheTopBitsOfTheTag()
    {
        var a = BlobIndex.Derive(Cheap, Alice, Bob, 493_000);
        var b = BlobIndex.Derive(Cheap, Alice, Bob, 493_000);

        Assert.True(a.Tag.SequenceEqual(b.Tag));
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(a.Tag) >> 18, a.Bucket);
        Assert.Equal(4, a.BucketText.Length);
    }

    [Fact]
    [Trait("Claim", "TM-01")]
    public void Derive_ChangesWithOrigDestEpochAndSalt()
    {
        var baseline = BlobIndex.Derive(Cheap, Alice, Bob, 1).Tag.ToArray();
        var otherSalt = new IndexParameters(new byte[32], 8, 1, 14, 3600);

        var carol = TelephoneNumber.ParseCanonical("14155550111");

        // Each input alone: orig, dest, epoch, salt, and the published Argon2id cost (memory, iterations), so that
        // testing a (caller, callee, epoch) hypothesis needs all of them and pays the cost the CPS publishes.
        Assert.False(baseline.AsSpan().SequenceEqual(BlobIndex.Derive(Cheap, carol, Bob, 1).Tag));
        Assert.False(baseline.AsSpan().SequenceEqual(BlobIndex.Derive(Cheap, Alice, carol, 1).Tag));
        Assert.False(baseline.AsSpan().SequenceEqual(BlobIndex.Derive(Cheap, Alice, Bob, 2).Tag));
        Assert.False(baseline.AsSpan().SequenceEqual(BlobIndex.Derive(otherSalt, Alice, Bob, 1).Tag));
        Assert.False(baseline.AsSpan().SequenceEqual(BlobIndex.Derive(new IndexParameters(Cheap.Salt, Cheap.MemoryKiB * 2, Cheap.Iterations, 14, 3600), Alice, Bob, 1).Tag));
        Assert.False(baseline.AsSpan().SequenceEqual(BlobIndex.Derive(new IndexParameters(Cheap.Salt, Cheap.MemoryKiB, Cheap.Iterations + 1, 14, 3600), Alice, Bob, 1).Tag));
        Assert.False(baseline.AsSpan().SequenceEqual(BlobIndex.Derive(Cheap, Bob, Alice, 1).Tag));
    }

    [Fact]
    [Trait("Claim", "TM-02")]
    public void Derive_LengthPrefixesSeparateOrigAndDest()
    {
        // Without length prefixes, ("1","23") and ("12","3") would hash the same bytes.
        var k = BlobIndex.DeriveDestinationKey(Cheap, TelephoneNumber.ParseCanonical("3"), 7);
        var a = BlobIndex.FromDestinationKey(Cheap, k, TelephoneNumber.ParseCanonical("1"), TelephoneNumber.ParseCanonical("23"), 7);
        var b = BlobIndex.FromDestinationKey(Cheap, k, TelephoneNumber.ParseCanonical("12"), TelephoneNumber.ParseCanonical("3"), 7);

        Assert.False(a.Tag.SequenceEqual(b.Tag));
    }

    [Fact]
    public void Cache_GivesTheSameIndexAsDirectDerivation_AndIsBounded()
    {
        var cache = new DestinationKeyCache(Cheap, capacity: 3);
        for (var i = 0; i < 10; i++)
        {
            var dest = TelephoneNumber.ParseCanonical($"1202555{i:D4}");
            Assert.True(BlobIndex.Derive(Cheap, Alice, dest, 9).Tag.SequenceEqual(cache.Derive(Alice, dest, 9).Tag));
        }

        Assert.Equal(3, cache.Count);
        Assert.True(cache.Contains(TelephoneNumber.ParseCanonical("12025550009"), 9));
        Assert.False(cache.Contains(TelephoneNumber.ParseCanonical("12025550000"), 9));
    }

    [Fact]
    public void Derive_AtDefaultParameters_Works()
    {
        var defaults = new IndexParameters(new byte[32], IndexParameters.DefaultMemoryKiB, IndexParameters.DefaultIterations, 14, 3600);

        var index = BlobIndex.Derive(defaults, Alice, Bob, 493_000);

        Assert.Equal(32, index.Tag.Length);
        Assert.StartsWith("stir-oob/v1/blob\0", System.Text.Encoding.ASCII.GetString(index.HpkeInfo()), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-02")]
    public void Buckets_AreUniformOverManyPairs()
    {
        // Chi-square over 16 bins of the top 4 bits: a broken derivation (e.g. a constant) fails this.
        var p = new IndexParameters(new byte[32], 8, 1, 4, 3600);
        var counts = new int[16];
        const int n = 3200;
        for (var i = 0; i < n; i++)
        {
            var orig = TelephoneNumber.ParseCanonical($"1202555{i % 100:D4}");
            var dest = TelephoneNumber.ParseCanonical($"1303555{i / 100:D4}");
            counts[BlobIndex.Derive(p, orig, dest, 5).Bucket]++;
        }

        var expected = n / 16.0;
        var chi = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi < 37.7, $"chi-square {chi:F1} over 15 degrees of freedom (p < 0.001 critical value 37.7)");
    }

    [Theory]
    [InlineData(14, 0x3fffu, "3fff")]
    [InlineData(14, 0u, "0000")]
    [InlineData(1, 1u, "1")]
    [InlineData(32, 0xffffffffu, "ffffffff")]
    [InlineData(9, 0x1ffu, "1ff")]
    public void Bucket_FormatThenParse_RoundTrips(int bits, uint bucket, string text)
    {
        Assert.Equal(text, BlobIndex.FormatBucket(bucket, bits));
        Assert.True(BlobIndex.TryParseBucket(text, bits, out var parsed, out _));
        Assert.Equal(bucket, parsed);
    }

    [Theory]
    [InlineData("4000", 14, "at or above 2^14")]
    [InlineData("3FFF", 14, "character 2 of the bucket")]
    [InlineData("03ff0", 14, "exactly 4 lowercase hex digits")]
    [InlineData("3ff", 14, "exactly 4 lowercase hex digits")]
    [InlineData("3f g", 14, "character 3")]
    [InlineData("", 14, "exactly 4")]
    public void Bucket_Parse_RejectsWithReason(string text, int bits, string reason)
    {
        Assert.False(BlobIndex.TryParseBucket(text, bits, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
