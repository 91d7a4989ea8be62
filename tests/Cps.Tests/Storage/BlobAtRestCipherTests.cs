using System.Security.Cryptography;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>Blobs sealed at rest open only unaltered, in their own place and period, under their own key.</summary>
public sealed class BlobAtRestCipherTests
{
    private static readonly BlobPlace Place = new(new BucketKey(500_000, 2048, 0x3f1), 4, 1_800_000_000_000, 1_800_000_030_000, 180_000_002);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _plaintext = RandomNumberGenerator.GetBytes(300);

    [Fact]
    public void Seal_ThenOpen_ReturnsThePlaintext_AndSealingTwiceDiffers()
    {
        var first = BlobAtRestCipher.Seal(_key, Place, _plaintext);
        var second = BlobAtRestCipher.Seal(_key, Place, _plaintext);

        Assert.True(BlobAtRestCipher.TryOpen(_key, Place, first, out var opened));
        Assert.Equal(_plaintext, opened);
        Assert.Equal(_plaintext.Length + BlobAtRestCipher.Overhead, first.Length);
        Assert.NotEqual(first, second);
        Assert.Equal(-1, first.AsSpan().IndexOf(_plaintext.AsSpan(0, 16)));
    }

    [Fact]
    public void Open_WithAnyByteFlipped_ReturnsFalse()
    {
        var sealedBlob = BlobAtRestCipher.Seal(_key, Place, _plaintext);
        for (var i = 0; i < sealedBlob.Length; i++)
        {
            var damaged = sealedBlob.ToArray();
            damaged[i] ^= 0x01;

            Assert.False(BlobAtRestCipher.TryOpen(_key, Place, damaged, out var opened));
            Assert.Empty(opened);
        }
    }

    [Fact]
    public void Open_OfEveryTruncation_AndOfAnExtension_ReturnsFalse()
    {
        var sealedBlob = BlobAtRestCipher.Seal(_key, Place, _plaintext);
        for (var length = 0; length < sealedBlob.Length; length++)
        {
            Assert.False(BlobAtRestCipher.TryOpen(_key, Place, sealedBlob.AsSpan(0, length), out _));
        }
        Assert.False(BlobAtRestCipher.TryOpen(_key, Place, [.. sealedBlob, 0], out _));
    }

    public static TheoryData<string> OtherPlaces => ["epoch", "size", "bucket", "slot", "start", "end", "period"];

    [Theory]
    [MemberData(nameof(OtherPlaces))]
    public void Open_InAnotherPlace_ReturnsFalse(string field)
    {
        var sealedBlob = BlobAtRestCipher.Seal(_key, Place, _plaintext);
        var other = field switch
        {
            "epoch" => Place with { Bucket = Place.Bucket with { Epoch = Place.Bucket.Epoch + 1 } },
            "size" => Place with { Bucket = Place.Bucket with { Size = 4096 } },
            "bucket" => Place with { Bucket = Place.Bucket with { Bucket = 0x3f0 } },
            "slot" => Place with { Slot = 5 },
            "start" => Place with { StartUnixMs = Place.StartUnixMs + 1 },
            "end" => Place with { EndUnixMs = Place.EndUnixMs + 1 },
            _ => Place with { Period = Place.Period + 1 },
        };

        Assert.False(BlobAtRestCipher.TryOpen(_key, other, sealedBlob, out _));
    }

    [Fact]
    public void Open_UnderAnotherKey_ReturnsFalse()
    {
        var sealedBlob = BlobAtRestCipher.Seal(_key, Place, _plaintext);

        Assert.False(BlobAtRestCipher.TryOpen(RandomNumberGenerator.GetBytes(32), Place, sealedBlob, out _));
    }
}
