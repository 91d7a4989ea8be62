using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// Single-shot messages (<c>enc || ct</c>) and contexts: round trips for every suite, and every way a
/// message can fail to open (tampered, truncated, extended, wrong key/info/aad, bad enc) returning false
/// without any exception.
/// </summary>
public sealed class HpkeMessageTests
{
    private static readonly byte[] Info = "stir-encrypted test info"u8.ToArray();
    private static readonly byte[] Aad = "bucket 17"u8.ToArray();

    [Theory]
    [MemberData(nameof(HpkeTestSuites.SealableNames), MemberType = typeof(HpkeTestSuites))]
    public void SealThenTryOpen_RandomSizes_RoundTrips(string name)
    {
        var suite = HpkeSuite.Parse(name);
        var random = new Random(9180 + name.Length);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        int[] sizes = [0, 1, 15, 16, 17, random.Next(18, 300), random.Next(300, 1100), 1500];
        foreach (var size in sizes)
        {
            var plaintext = new byte[size];
            random.NextBytes(plaintext);
            var info = new byte[random.Next(0, 80)];
            random.NextBytes(info);
            var aad = new byte[random.Next(0, 80)];
            random.NextBytes(aad);

            var blob = suite.Seal(skR.PublicKey, info, aad, plaintext);

            Assert.Equal(suite.CiphertextSize(size), blob.Length);
            Assert.Equal(size, suite.PlaintextSize(blob.Length));
            Assert.True(suite.TryOpen(skR, info, aad, blob, out var opened));
            Assert.Equal(plaintext, opened);
        }
    }

    [Theory]
    [MemberData(nameof(HpkeTestSuites.SealableNames), MemberType = typeof(HpkeTestSuites))]
    public void Seal_SpanOverload_WritesTheSameFormat(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        var plaintext = "a padded PASSporT"u8.ToArray();
        var blob = new byte[suite.CiphertextSize(plaintext.Length)];

        suite.Seal(skR.PublicKey, Info, Aad, plaintext, blob);
        var opened = new byte[suite.PlaintextSize(blob.Length)];

        Assert.True(suite.TryOpen(skR, Info, Aad, blob, opened));
        Assert.Equal(plaintext, opened);
    }

    [Theory]
    [MemberData(nameof(HpkeTestSuites.RepresentativeNames), MemberType = typeof(HpkeTestSuites))]
    public void Seal_Twice_GivesDifferentEncapsulations(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);

        var first = suite.Seal(skR.PublicKey, Info, Aad, "same"u8);
        var second = suite.Seal(skR.PublicKey, Info, Aad, "same"u8);

        Assert.NotEqual(first.AsSpan(0, suite.EncapsulatedKeySize).ToArray(), second.AsSpan(0, suite.EncapsulatedKeySize).ToArray());
        Assert.NotEqual(first.AsSpan(suite.EncapsulatedKeySize).ToArray(), second.AsSpan(suite.EncapsulatedKeySize).ToArray());
    }

    [Theory]
    [MemberData(nameof(HpkeTestSuites.RepresentativeNames), MemberType = typeof(HpkeTestSuites))]
    public void TryOpen_AnyByteFlipped_ReturnsFalse_WithoutException(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        var blob = suite.Seal(skR.PublicKey, Info, Aad, "Beauty is truth, truth beauty"u8);
        var plaintext = new byte[suite.PlaintextSize(blob.Length)];

        using var probe = new HpkeNoExceptionProbe();
        for (var i = 0; i < blob.Length; i++)
        {
            // 0x01 and 0x80: the low bit, and the high bit that X25519 ignores in a u-coordinate but that
            // the KEM context still binds.
            foreach (var mask in new byte[] { 0x01, 0x80 })
            {
                var tampered = (byte[])blob.Clone();
                tampered[i] ^= mask;
                plaintext.AsSpan().Fill(0xAA);

                Assert.False(suite.TryOpen(skR, Info, Aad, tampered, plaintext), $"byte {i} ^ 0x{mask:x2} still opens");
                Assert.All(plaintext, b => Assert.Equal(0, b));
            }
        }

        Assert.Empty(probe.Seen);
        Assert.True(suite.TryOpen(skR, Info, Aad, blob, plaintext));
    }

    [Theory]
    [MemberData(nameof(HpkeTestSuites.RepresentativeNames), MemberType = typeof(HpkeTestSuites))]
    public void TryOpen_Truncated_ReturnsFalse_WithoutException(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        var blob = suite.Seal(skR.PublicKey, Info, Aad, "a PASSporT"u8);

        using var probe = new HpkeNoExceptionProbe();
        for (var length = 0; length < blob.Length; length++)
        {
            Assert.False(suite.TryOpen(skR, Info, Aad, blob.AsSpan(0, length), out var fromPrefix), $"prefix of {length} bytes opens");
            Assert.Null(fromPrefix);
            Assert.False(suite.TryOpen(skR, Info, Aad, blob.AsSpan(blob.Length - length), out var fromSuffix), $"suffix of {length} bytes opens");
            Assert.Null(fromSuffix);
        }

        Assert.Empty(probe.Seen);
    }

    [Theory]
    [MemberData(nameof(HpkeTestSuites.RepresentativeNames), MemberType = typeof(HpkeTestSuites))]
    public void TryOpen_WithBytesAppended_ReturnsFalse(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        var blob = suite.Seal(skR.PublicKey, Info, Aad, "a PASSporT"u8);

        using var probe = new HpkeNoExceptionProbe();
        Assert.False(suite.TryOpen(skR, Info, Aad, [.. blob, 0x00], out _));
        Assert.False(suite.TryOpen(skR, Info, Aad, [.. blob, .. blob], out _));
        Assert.Empty(probe.Seen);
    }

    [Theory]
    [MemberData(nameof(HpkeTestSuites.RepresentativeNames), MemberType = typeof(HpkeTestSuites))]
    public void TryOpen_WithWrongKeyInfoOrAad_ReturnsFalse_WithoutException(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        using var someoneElse = HpkePrivateKey.Generate(suite.Kem);
        var blob = suite.Seal(skR.PublicKey, Info, Aad, "for skR only"u8);

        using var probe = new HpkeNoExceptionProbe();
        Assert.False(suite.TryOpen(someoneElse, Info, Aad, blob, out _));
        Assert.False(suite.TryOpen(skR, [.. Info, 0], Aad, blob, out _));
        Assert.False(suite.TryOpen(skR, [], Aad, blob, out _));
        Assert.False(suite.TryOpen(skR, Info, [.. Aad, 0], blob, out _));
        Assert.False(suite.TryOpen(skR, Info, [], blob, out _));
        Assert.Empty(probe.Seen);
        Assert.True(suite.TryOpen(skR, Info, Aad, blob, out _));
    }

    [Theory]
    [MemberData(nameof(HpkeTestSuites.RepresentativeNames), MemberType = typeof(HpkeTestSuites))]
    public void TryOpen_OfAnotherSuitesMessage_ReturnsFalse(string name)
    {
        // Same KEM and key, another KDF or AEAD: the suite_id in every label keeps them apart.
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        foreach (var other in HpkeTestSuites.Sealable.Where(s => s.Kem == suite.Kem && !s.Equals(suite)))
        {
            var blob = other.Seal(skR.PublicKey, Info, Aad, "x"u8);
            Assert.False(suite.TryOpen(skR, Info, Aad, blob, out _), other.Name);
        }
    }

    [Fact]
    public void TryOpen_X25519SmallOrderEnc_ReturnsFalse_WithoutException()
    {
        var suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        var blob = suite.Seal(skR.PublicKey, Info, Aad, "x"u8);

        using var probe = new HpkeNoExceptionProbe();
        foreach (var point in HpkeKeyTests.X25519SmallOrderEncodings())
        {
            var tampered = (byte[])blob.Clone();
            point.CopyTo(tampered, 0);
            Assert.False(suite.TryOpen(skR, Info, Aad, tampered, out _), Convert.ToHexString(point));
            Assert.False(suite.TrySetupRecipient(skR, point, Info, out var context));
            Assert.Null(context);
        }

        Assert.Empty(probe.Seen);
    }

    [Theory]
    [InlineData("P256HkdfSha256")]
    [InlineData("P521HkdfSha512")]
    public void TryOpen_EncNotOnTheCurveOrCompressed_ReturnsFalse_WithoutException(string kemName)
    {
        var kem = Enum.Parse<HpkeKem>(kemName);
        var suite = HpkeSuite.Create(kem, HpkeKdf.HkdfSha256, HpkeAead.Aes128Gcm);
        using var skR = HpkePrivateKey.Generate(kem);
        var blob = suite.Seal(skR.PublicKey, Info, Aad, "x"u8);
        var n = suite.EncapsulatedKeySize;

        var offCurve = (byte[])blob.Clone();
        offCurve[n - 1] ^= 0x01;
        var compressed = (byte[])blob.Clone();
        compressed[0] = 0x02;
        var infinityLike = (byte[])blob.Clone();
        Array.Clear(infinityLike, 1, n - 1);
        var coordinateAboveP = (byte[])blob.Clone();
        coordinateAboveP.AsSpan(1, (n - 1) / 2).Fill(0xFF);

        using var probe = new HpkeNoExceptionProbe();
        Assert.False(suite.TryOpen(skR, Info, Aad, offCurve, out _));
        Assert.False(suite.TryOpen(skR, Info, Aad, compressed, out _));
        Assert.False(suite.TryOpen(skR, Info, Aad, infinityLike, out _));
        Assert.False(suite.TryOpen(skR, Info, Aad, coordinateAboveP, out _));
        Assert.Empty(probe.Seen);
    }

    [Theory]
    [MemberData(nameof(HpkeTestSuites.RepresentativeNames), MemberType = typeof(HpkeTestSuites))]
    public void Contexts_ManyMessages_OpenInOrder_AndExportsAgree(string name)
    {
        var suite = HpkeSuite.Parse(name);
        var random = new Random(5);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        using var sender = suite.SetupSender(skR.PublicKey, Info);
        Assert.True(suite.TrySetupRecipient(skR, sender.EncapsulatedKey, Info, out var recipient));
        using (recipient)
        {
            for (var i = 0; i < 20; i++)
            {
                var message = new byte[random.Next(0, 200)];
                random.NextBytes(message);
                var aad = BitConverter.GetBytes(i);
                var ct = new byte[message.Length + suite.TagSize];
                sender.Seal(aad, message, ct);
                var pt = new byte[message.Length];
                Assert.True(recipient.TryOpen(aad, ct, pt));
                Assert.Equal(message, pt);
            }

            Assert.Equal(20UL, sender.SequenceNumber);
            Assert.Equal(20UL, recipient.SequenceNumber);
            Assert.Equal(sender.Export("ctx"u8, 48), recipient.Export("ctx"u8, 48));
            Assert.NotEqual(sender.Export("ctx"u8, 32), sender.Export("ctx2"u8, 32));
        }
    }

    [Theory]
    [MemberData(nameof(HpkeTestSuites.RepresentativeNames), MemberType = typeof(HpkeTestSuites))]
    public void RecipientContext_MessageOutOfOrderOrTampered_ReturnsFalse_AndKeepsItsPlace(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        using var sender = suite.SetupSender(skR.PublicKey, Info);
        var first = sender.Seal(Aad, "first"u8);
        var second = sender.Seal(Aad, "second"u8);
        Assert.True(suite.TrySetupRecipient(skR, sender.EncapsulatedKey, Info, out var recipient));
        using (recipient)
        {
            using var probe = new HpkeNoExceptionProbe();
            Assert.False(recipient.TryOpen(Aad, second, out _));
            var tampered = (byte[])first.Clone();
            tampered[^1] ^= 1;
            Assert.False(recipient.TryOpen(Aad, tampered, out _));
            Assert.False(recipient.TryOpen(Aad, first.AsSpan(0, 15), out _));
            Assert.Empty(probe.Seen);
            Assert.Equal(0UL, recipient.SequenceNumber);

            Assert.True(recipient.TryOpen(Aad, first, out var one));
            Assert.True(recipient.TryOpen(Aad, second, out var two));
            Assert.Equal("first"u8.ToArray(), one);
            Assert.Equal("second"u8.ToArray(), two);
        }
    }

    [Fact]
    public void ExportOnlyContexts_AgreeOnExports()
    {
        var suite = HpkeSuite.Parse("x25519-sha256-exportonly");
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        using var sender = suite.SetupSender(skR.PublicKey, Info);
        Assert.True(suite.TrySetupRecipient(skR, sender.EncapsulatedKey, Info, out var recipient));
        using (recipient)
        {
            Assert.Equal(sender.Export([], 255 * 32), recipient.Export([], 255 * 32));
        }
    }

    [Theory]
    [InlineData("x25519-sha256-chacha20poly1305")]
    [InlineData("p256-sha256-aes128gcm")]
    public void TryOpen_OneKeyFromSeveralThreads_OpensEveryMessage(string name)
    {
        var suite = HpkeSuite.Parse(name);
        using var skR = HpkePrivateKey.Generate(suite.Kem);
        var blobs = Enumerable.Range(0, 40).Select(i => suite.Seal(skR.PublicKey, Info, Aad, BitConverter.GetBytes(i))).ToArray();

        var opened = new int[blobs.Length];
        Parallel.For(0, blobs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            Assert.True(suite.TryOpen(skR, Info, Aad, blobs[i], out var pt));
            opened[i] = BitConverter.ToInt32(pt);
        });

        Assert.Equal(Enumerable.Range(0, blobs.Length), opened);
    }
}
