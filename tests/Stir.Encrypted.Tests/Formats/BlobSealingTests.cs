using System.Security.Cryptography;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// The blob of spec/protocol.md §4–§6: <c>enc ‖ stanza_1 … stanza_4 ‖ body</c>, one per call whatever the number of key
/// holders (up to four per blob), opened by every holder and by nobody else, never under another index, and not after
/// any byte changed.
/// </summary>
public sealed class BlobSealingTests
{
    private const string Jws = "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9.c2lnbmF0dXJl";
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseCanonical("12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseCanonical("13035550100");

    internal static CpsConfiguration Config(params SizeClass[] classes) => Config(8, classes);

    internal static CpsConfiguration Config(int maxBlobsPerStore, params SizeClass[] classes) =>
        new(BlobIndexTests.Cheap, classes.Length == 0 ? [new SizeClass(1024, 8)] : classes, RetentionPolicy.Default, false, maxBlobsPerStore, 5);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [Trait("Claim", "TM-59")]
    public void OneBlob_ForOneToFourHolders_OpensForEachHolder_AndForNoOtherKey(int count)
    {
        var config = Config();
        using var holders = new Keys(count);
        using var stranger = new Keys(1);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);

        var blob = Assert.Single(BlobSealer.Seal(config, index, [Jws, Jws], holders.Public));
        var bucket = Decoys(config, 3).Append(blob).Concat(Decoys(config, 4)).ToList();

        Assert.Equal(1024, blob.Length);
        foreach (var holder in holders.Private)
        {
            var opened = Assert.Single(BucketOpener.Open(index, bucket, holder));
            Assert.Equal(3, opened.BlobIndex);
            Assert.Equal([Jws, Jws], opened.Passports);
            Assert.Null(opened.FormatError);
        }

        Assert.Empty(BucketOpener.Open(index, bucket, stranger.Private[0]));
        Assert.Equal(3, Assert.Single(BucketOpener.Open(index, bucket, [stranger.Private[0], .. holders.Private])).BlobIndex); // reported once
    }

    [Fact]
    [Trait("Claim", "TM-59")]
    public void FiveHolders_GetTwoBlobsOfOneSize_AndEachHolderOpensExactlyOne()
    {
        var config = Config();
        using var holders = new Keys(5);
        using var stranger = new Keys(1);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);

        var blobs = BlobSealer.Seal(config, index, [Jws], holders.Public);
        var bucket = blobs.Select(b => (ReadOnlyMemory<byte>)b).Concat(Decoys(config, 6)).ToList();

        Assert.Equal(2, blobs.Count);
        Assert.All(blobs, b => Assert.Equal(1024, b.Length));
        var openedBy = holders.Private.Select(h => Assert.Single(BucketOpener.Open(index, bucket, h)).BlobIndex).ToList();
        Assert.Equal(4, openedBy.Count(b => b == 0));
        Assert.Equal(1, openedBy.Count(b => b == 1));
        Assert.Empty(BucketOpener.Open(index, bucket, stranger.Private[0]));
    }

    [Fact]
    public void Seal_TheSameKeyTwice_GivesItOneStanza()
    {
        var config = Config();
        using var holders = new Keys(2);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);

        var blob = Assert.Single(BlobSealer.Seal(config, index, [Jws], [holders.Public[0], holders.Public[1], holders.Public[0]]));

        Assert.Single(UsedStanzas(blob, index, holders.Private[0]));
        Assert.Single(UsedStanzas(blob, index, holders.Private[1]));
        var stanzas = Enumerable.Range(0, BlobSealer.StanzaCount).Select(i => Convert.ToHexString(Stanza(blob, i))).ToList();
        Assert.Equal(BlobSealer.StanzaCount, stanzas.Distinct().Count());
    }

    [Fact]
    [Trait("Claim", "TM-08")]
    public void BlobMovedToAnotherIndex_NeverOpens()
    {
        var config = Config();
        using var holders = new Keys(2);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);
        var blob = Assert.Single(BlobSealer.Seal(config, index, [Jws], holders.Public));

        foreach (var key in holders.Private)
        {
            Assert.Empty(BucketOpener.Open(BlobIndex.Derive(config.Index, Alice, Bob, 8), [blob], key));                          // replayed in a later epoch
            Assert.Empty(BucketOpener.Open(BlobIndex.Derive(config.Index, Bob, Bob, 7), [blob], key));                            // claimed for another caller
            Assert.Empty(BucketOpener.Open(BlobIndex.Derive(config.Index, Alice, TelephoneNumber.ParseCanonical("1"), 7), [blob], key)); // another callee
            Assert.Empty(BucketOpener.Open(BlobIndex.Derive(new IndexParameters(new byte[32], 8, 1, 14, 3600), Alice, Bob, 7), [blob], key)); // another CPS's salt
            Assert.Single(BucketOpener.Open(index, [blob], key));
        }
    }

    [Fact]
    [Trait("Claim", "TM-08")]
    public void EveryByteFlipped_InEncAnyStanzaTheBodyOrItsTag_MakesTheBlobOpenForNoHolder()
    {
        // Used and unused stanzas alike are bound to the body as aad, so no byte of the blob can change unnoticed.
        var config = Config();
        using var holders = new Keys(2);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);
        var blob = Assert.Single(BlobSealer.Seal(config, index, [Jws], holders.Public));
        var stillOpen = new List<int>();

        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x01;
            if (BucketOpener.Open(index, [tampered], holders.Private).Count != 0)
            {
                stillOpen.Add(i);
            }
        }

        Assert.Empty(stillOpen);
        Assert.Single(BucketOpener.Open(index, [blob], holders.Private));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-16)]
    [InlineData(-(1024 - 240))]
    [InlineData(-(1024 - 239))]
    [InlineData(-1024)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(1024)]
    public void TruncatedOrOversizedBlob_DoesNotOpen(int change)
    {
        var config = Config();
        using var holders = new Keys(1);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);
        var blob = Assert.Single(BlobSealer.Seal(config, index, [Jws], holders.Public));

        var resized = change < 0 ? blob[..(blob.Length + change)] : [.. blob, .. new byte[change]];

        Assert.Empty(BucketOpener.Open(index, [resized], holders.Private[0]));
    }

    [Fact]
    public void StanzaThatOpens_WithABodyUnderAnotherContentKey_IsNotOpened_AndSaysNothing()
    {
        var config = Config();
        using var holders = new Keys(1);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);
        var plaintext = BlobPlaintext.Encode([Jws], config.Classes[0].PlaintextSize);

        var blob = BuildBlob(holders.Public[0], index, plaintext, stanzaKey: RandomNumberGenerator.GetBytes(32), bodyKey: RandomNumberGenerator.GetBytes(32));

        Assert.Single(UsedStanzas(blob, index, holders.Private[0]));
        Assert.Empty(BucketOpener.Open(index, [blob], holders.Private[0]));
    }

    [Fact]
    public void BlobBuiltFromTheSpec_Opens_AndABadPlaintextInside_IsReportedNotDropped()
    {
        var config = Config();
        using var holders = new Keys(1);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 1);
        var cek = RandomNumberGenerator.GetBytes(32);
        var good = BuildBlob(holders.Public[0], index, BlobPlaintext.Encode([Jws], config.Classes[0].PlaintextSize), cek, cek);
        var garbage = new byte[config.Classes[0].PlaintextSize];
        garbage[0] = 9;
        var bad = BuildBlob(holders.Public[0], index, garbage, cek, cek);

        Assert.Equal([Jws], Assert.Single(BucketOpener.Open(index, [good], holders.Private[0])).Passports);
        var opened = Assert.Single(BucketOpener.Open(index, [bad], holders.Private[0]));
        Assert.Empty(opened.Passports);
        Assert.Contains("version is 9", opened.FormatError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 2000, 16.27)]   // 4 positions, 3 degrees of freedom, p = 0.001
    [InlineData(2, 2400, 31.26)]   // 12 ordered pairs of positions, 11 degrees of freedom, p = 0.001
    [InlineData(3, 2400, 49.73)]   // 24 arrangements of the three holders, 23 degrees of freedom, p = 0.001
    [Trait("Claim", "TM-04")]
    public void StanzaPositions_AreUniform_ChiSquareWithAFixedSeed(int count, int seals, double critical)
    {
        // Which stanza holds which holder's key is found by trial-opening with each key, independently of BucketOpener.
        // Holders always in the first positions (no shuffle) or a biased shuffle fails this.
        var config = Config();
        using var holders = new Keys(count);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);
        var randomness = new SeededBlobRandomness(seed: 59);
        var counts = new Dictionary<string, int>();

        for (var n = 0; n < seals; n++)
        {
            var blob = Assert.Single(BlobSealer.Seal(config, index, [Jws], holders.Public, randomness));
            var arrangement = string.Join(",", holders.Private.Select(h => Assert.Single(UsedStanzas(blob, index, h))));
            counts[arrangement] = counts.GetValueOrDefault(arrangement) + 1;
        }

        var cells = Enumerable.Range(0, count).Aggregate(1, (product, i) => product * (BlobSealer.StanzaCount - i));
        var expected = (double)seals / cells;
        var chi = counts.Values.Sum(c => (c - expected) * (c - expected) / expected) + ((cells - counts.Count) * expected);
        Assert.True(chi < critical, $"chi-square {chi:F1} over {cells - 1} degrees of freedom (critical {critical}); counts: {string.Join(" ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"))}");
    }

    [Fact]
    public void StanzaPositions_FromTheSystemCsprng_TakeEveryValue()
    {
        // The production path draws from the OS CSPRNG: 200 seals to one holder leave a position unused with
        // probability 4 · (3/4)^200 ≈ 5·10⁻²⁵.
        var config = Config();
        using var holders = new Keys(1);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 7);

        var positions = Enumerable.Range(0, 200)
            .Select(_ => Assert.Single(UsedStanzas(Assert.Single(BlobSealer.Seal(config, index, [Jws], holders.Public)), index, holders.Private[0])))
            .ToHashSet();

        Assert.Equal([0, 1, 2, 3], positions.Order());
    }

    [Fact]
    public void Seal_PicksTheSmallestClassThatFits()
    {
        var config = Config(new SizeClass(512, 4), new SizeClass(2048, 4));
        using var holders = new Keys(1);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 1);

        Assert.Equal(512, Assert.Single(BlobSealer.Seal(config, index, [Jws], holders.Public)).Length);
        Assert.Equal(2048, Assert.Single(BlobSealer.Seal(config, index, Enumerable.Repeat(Jws, 8).ToList(), holders.Public)).Length);
        var ex = Assert.Throws<ArgumentException>(() => BlobSealer.Seal(config, index, Enumerable.Repeat(Jws, 16).Select(j => j + new string('A', 200)).ToList(), holders.Public));
        Assert.Contains("largest class carries", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_ToAKeyOfAnotherKem_NoHolder_OrMoreBlobsThanOneStoreTakes_Throws()
    {
        var config = Config();
        using var p256 = HpkePrivateKey.Generate(HpkeKem.P256HkdfSha256);
        using var holders = new Keys(5);
        var index = BlobIndex.Derive(config.Index, Alice, Bob, 1);

        Assert.Contains("x25519", Assert.Throws<ArgumentException>(() => BlobSealer.Seal(config, index, [Jws], [p256.PublicKey])).Message, StringComparison.Ordinal);
        Assert.Contains("at least one key holder", Assert.Throws<ArgumentException>(() => BlobSealer.Seal(config, index, [Jws], [])).Message, StringComparison.Ordinal);
        var tooMany = Assert.Throws<ArgumentException>(() => BlobSealer.Seal(Config(maxBlobsPerStore: 1), index, [Jws], holders.Public));
        Assert.Equal("5 key holders need 2 blobs of 4 stanzas; this CPS takes at most 1 blobs in one store (Parameter 'holders')", tooMany.Message);
    }

    [Fact]
    public void Layout_IsEncFourStanzasAndTheBody()
    {
        Assert.Equal(32 + (4 * 48), BlobSealer.HeaderSize);
        Assert.Equal(240, SizeClass.Overhead);
        Assert.Equal(1024 - 240, new SizeClass(1024, 2).PlaintextSize);
        Assert.Equal(1, BlobSealer.BlobsFor(4));
        Assert.Equal(2, BlobSealer.BlobsFor(5));
        Assert.Equal(3, BlobSealer.BlobsFor(9));
    }

    [Theory]
    [InlineData(3600 * 10 + 30, new ulong[] { 10, 9 })]          // 30 s into epoch 10: a blob from epoch 9 may still live
    [InlineData(3600 * 10 + 600, new ulong[] { 10 })]            // well inside
    [InlineData((3600 * 11) - 3, new ulong[] { 10, 11 })]        // 3 s before the boundary: a fast caller may be in 11
    [Trait("Claim", "TM-14")]
    public void CandidateEpochs_CoverBoundariesAndSkew(long unix, ulong[] expected)
    {
        var epochs = BlobIndexTests.Cheap.CandidateEpochs(DateTimeOffset.FromUnixTimeSeconds(unix), maxRetentionSeconds: 60, skewSeconds: 5);

        Assert.Equal(expected, epochs);
    }

    // The stanza positions (0-based) that open with key under the blob's enc and the index's info: RFC 9180
    // SetupBaseR, then Open of each stanza at sequence number 0 (a fresh context per stanza).
    private static List<int> UsedStanzas(byte[] blob, BlobIndex index, HpkePrivateKey key)
    {
        var used = new List<int>();
        for (var i = 0; i < BlobSealer.StanzaCount; i++)
        {
            Assert.True(BlobSealer.Suite.TrySetupRecipient(key, blob.AsSpan(0, 32), index.HpkeInfo(), out var context));
            using (context)
            {
                if (context.TryOpen([], Stanza(blob, i), out _))
                {
                    used.Add(i);
                }
            }
        }

        return used;
    }

    private static ReadOnlySpan<byte> Stanza(byte[] blob, int i) => blob.AsSpan(32 + (i * 48), 48);

    // spec/protocol.md §4 with the public HPKE API and the BCL's ChaCha20-Poly1305: one stanza sealing stanzaKey to
    // pkR at a random position, random unused stanzas, and the body under bodyKey (the same key in a genuine blob).
    private static byte[] BuildBlob(HpkePublicKey pkR, BlobIndex index, byte[] plaintext, byte[] stanzaKey, byte[] bodyKey)
    {
        var blob = new byte[BlobSealer.HeaderSize + plaintext.Length + 16];
        RandomNumberGenerator.Fill(blob.AsSpan(32, 4 * 48));
        using (var context = BlobSealer.Suite.SetupSender(pkR, index.HpkeInfo()))
        {
            context.EncapsulatedKey.CopyTo(blob);
            context.Seal([], stanzaKey).CopyTo(blob, 32 + (RandomNumberGenerator.GetInt32(4) * 48));
        }

        using var aead = new ChaCha20Poly1305(bodyKey);
        aead.Encrypt(new byte[12], plaintext, blob.AsSpan(BlobSealer.HeaderSize, plaintext.Length), blob.AsSpan(blob.Length - 16), blob.AsSpan(0, BlobSealer.HeaderSize));
        return blob;
    }

    // What a CPS serves as covers (spec §9): an X25519 public key, then a ChaCha20-Poly1305 output of the right length.
    private static IEnumerable<ReadOnlyMemory<byte>> Decoys(CpsConfiguration config, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var throwaway = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
            yield return BlobSealer.Suite.Seal(throwaway.PublicKey, new byte[8], [], new byte[config.Classes[0].Size - 48]);
        }
    }

    private sealed class Keys : IDisposable
    {
        public Keys(int count) => Private = [.. Enumerable.Range(0, count).Select(_ => HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256))];

        public HpkePrivateKey[] Private { get; }

        public HpkePublicKey[] Public => [.. Private.Select(k => k.PublicKey)];

        public void Dispose()
        {
            foreach (var key in Private)
            {
                key.Dispose();
            }
        }
    }
}
