using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// Programming errors throw ArgumentException or InvalidOperationException, never return false and
/// never produce output: an export-only suite asked to seal, a key of another KEM, buffers of the wrong
/// size, an exhausted sequence number, inconsistent PSK inputs.
/// </summary>
public sealed class HpkeMisuseTests
{
    private static readonly HpkeSuite Suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;

    [Fact]
    public void ExportOnlySuite_SingleShotSealOrOpen_ThrowsArgumentException()
    {
        var suite = HpkeSuite.Parse("x25519-sha256-exportonly");
        using var key = HpkePrivateKey.Generate(suite.Kem);

        var seal = Assert.Throws<ArgumentException>(() => suite.Seal(key.PublicKey, [], [], "x"u8));
        Assert.Contains("export-only", seal.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => suite.Seal(key.PublicKey, [], [], "x"u8, new byte[64]));
        Assert.Throws<ArgumentException>(() => suite.TryOpen(key, [], [], new byte[64], out _));
        Assert.Throws<ArgumentException>(() => suite.TryOpen(key, [], [], new byte[64], new byte[16]));
    }

    [Fact]
    public void ExportOnlyContexts_SealOrOpen_ThrowInvalidOperation()
    {
        var suite = HpkeSuite.Parse("x25519-sha256-exportonly");
        using var key = HpkePrivateKey.Generate(suite.Kem);
        using var sender = suite.SetupSender(key.PublicKey, []);
        Assert.True(suite.TrySetupRecipient(key, sender.EncapsulatedKey, [], out var recipient));
        using (recipient)
        {
            Assert.Throws<InvalidOperationException>(() => sender.Seal([], "x"u8));
            Assert.Throws<InvalidOperationException>(() => recipient.TryOpen([], new byte[20], out _));
            Assert.Throws<InvalidOperationException>(() => recipient.TryOpen([], new byte[3], out _));
        }
    }

    [Fact]
    public void KeyOfAnotherKem_Throws_NamingBothKems()
    {
        using var p256 = HpkePrivateKey.Generate(HpkeKem.P256HkdfSha256);
        var blob = new byte[Suite.CiphertextSize(1)];

        var error = Assert.Throws<ArgumentException>(() => Suite.Seal(p256.PublicKey, [], [], "x"u8));
        Assert.Contains("DHKEM(P-256, HKDF-SHA256) key", error.Message, StringComparison.Ordinal);
        Assert.Contains("DHKEM(X25519, HKDF-SHA256)", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Suite.TryOpen(p256, [], [], blob, out _));
        Assert.Throws<ArgumentException>(() => Suite.SetupSender(p256.PublicKey, []));
        Assert.Throws<ArgumentException>(() => Suite.TrySetupRecipient(p256, new byte[32], [], out _));
    }

    [Fact]
    public void SingleShot_WrongBufferSizes_ThrowArgumentException()
    {
        using var key = HpkePrivateKey.Generate(Suite.Kem);
        var blob = Suite.Seal(key.PublicKey, [], [], "hello"u8);

        Assert.Throws<ArgumentException>(() => Suite.Seal(key.PublicKey, [], [], "hello"u8, new byte[blob.Length - 1]));
        Assert.Throws<ArgumentException>(() => Suite.Seal(key.PublicKey, [], [], "hello"u8, new byte[blob.Length + 1]));
        Assert.Throws<ArgumentException>(() => Suite.TryOpen(key, [], [], blob, new byte[4]));
        Assert.Throws<ArgumentException>(() => Suite.TryOpen(key, [], [], blob, new byte[6]));
    }

    [Fact]
    public void SingleShot_OverlappingBuffers_ThrowArgumentException()
    {
        using var key = HpkePrivateKey.Generate(Suite.Kem);
        var buffer = new byte[Suite.CiphertextSize(5) + 5];

        Assert.Throws<ArgumentException>(() => Suite.Seal(key.PublicKey, [], [], buffer.AsSpan(40, 5), buffer.AsSpan(0, Suite.CiphertextSize(5))));
        var blob = Suite.Seal(key.PublicKey, [], [], "hello"u8);
        blob.CopyTo(buffer, 0);
        Assert.Throws<ArgumentException>(() => Suite.TryOpen(key, [], [], buffer.AsSpan(0, blob.Length), buffer.AsSpan(blob.Length - 5, 5)));
    }

    [Fact]
    public void Contexts_WrongBufferSizes_ThrowArgumentException()
    {
        using var key = HpkePrivateKey.Generate(Suite.Kem);
        using var sender = Suite.SetupSender(key.PublicKey, []);
        Assert.True(Suite.TrySetupRecipient(key, sender.EncapsulatedKey, [], out var recipient));
        using (recipient)
        {
            Assert.Throws<ArgumentException>(() => sender.Seal([], "hello"u8, new byte[20]));
            var ct = sender.Seal([], "hello"u8);
            Assert.Throws<ArgumentException>(() => recipient.TryOpen([], ct, new byte[4]));
            Assert.Equal(1UL, sender.SequenceNumber);
            Assert.Equal(0UL, recipient.SequenceNumber);
        }
    }

    [Fact]
    public void Contexts_SequenceNumberExhausted_ThrowInvalidOperation_AndProduceNothing()
    {
        using var key = HpkePrivateKey.Generate(Suite.Kem);
        using var sender = Suite.SetupSender(key.PublicKey, []);
        Assert.True(Suite.TrySetupRecipient(key, sender.EncapsulatedKey, [], out var recipient));
        using (recipient)
        {
            sender.SequenceNumber = ulong.MaxValue - 1;
            recipient.SequenceNumber = ulong.MaxValue - 1;
            var last = sender.Seal([], "last"u8);
            Assert.True(recipient.TryOpen([], last, out _));

            var ct = new byte[4 + 16];
            var error = Assert.Throws<InvalidOperationException>(() => sender.Seal([], "more"u8, ct));
            Assert.Contains("MessageLimitReachedError", error.Message, StringComparison.Ordinal);
            Assert.All(ct, b => Assert.Equal(0, b));
            Assert.Throws<InvalidOperationException>(() => recipient.TryOpen([], last, out _));
            Assert.Equal(ulong.MaxValue, sender.SequenceNumber);
        }
    }

    [Fact]
    public void Export_LengthOutOfRange_ThrowsArgumentOutOfRange()
    {
        using var key = HpkePrivateKey.Generate(Suite.Kem);
        using var sender = Suite.SetupSender(key.PublicKey, []);

        Assert.Throws<ArgumentOutOfRangeException>(() => sender.Export([], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sender.Export([], (255 * 32) + 1));
        Assert.Equal(255 * 32, sender.Export([], 255 * 32).Length);
    }

    [Fact]
    public void DisposedContext_ThrowsObjectDisposed()
    {
        using var key = HpkePrivateKey.Generate(Suite.Kem);
        var sender = Suite.SetupSender(key.PublicKey, []);
        sender.Dispose();

        Assert.Throws<ObjectDisposedException>(() => sender.Seal([], "x"u8));
        Assert.Throws<ObjectDisposedException>(() => sender.Export([], 32));
    }

    [Theory]
    [InlineData("", "00", "Inconsistent PSK inputs")]
    [InlineData("00", "", "Inconsistent PSK inputs")]
    public void PskModes_InconsistentInputs_ThrowArgumentException(string psk, string pskId, string expected)
    {
        using var key = HpkePrivateKey.Generate(Suite.Kem);

        var error = Assert.Throws<ArgumentException>(() =>
            Suite.SetupSender(key.PublicKey, [], Convert.FromHexString(psk), Convert.FromHexString(pskId), sender: null, ephemeral: null));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyPskInputs_FollowsRfc9180Section5_1()
    {
        byte[] psk = [1];
        Assert.Throws<ArgumentException>(() => KeySchedule.VerifyPskInputs(HpkeMode.Base, psk, psk));
        Assert.Throws<ArgumentException>(() => KeySchedule.VerifyPskInputs(HpkeMode.Auth, psk, psk));
        Assert.Throws<ArgumentException>(() => KeySchedule.VerifyPskInputs(HpkeMode.Psk, [], []));
        Assert.Throws<ArgumentException>(() => KeySchedule.VerifyPskInputs(HpkeMode.AuthPsk, [], []));
        KeySchedule.VerifyPskInputs(HpkeMode.Base, [], []);
        KeySchedule.VerifyPskInputs(HpkeMode.Psk, psk, psk);
    }

    [Fact]
    public void AuthMode_WrongSenderKey_DoesNotOpen()
    {
        using var skR = HpkePrivateKey.Generate(Suite.Kem);
        using var skS = HpkePrivateKey.Generate(Suite.Kem);
        using var impostor = HpkePrivateKey.Generate(Suite.Kem);
        var blob = new byte[Suite.CiphertextSize(1)];
        Suite.Seal(skR.PublicKey, [], [], "x"u8, blob, [], [], skS, ephemeral: null);

        Assert.False(Suite.TryOpen(skR, [], [], blob, new byte[1], [], [], impostor.PublicKey));
        Assert.False(Suite.TryOpen(skR, [], [], blob, new byte[1]));
        Assert.True(Suite.TryOpen(skR, [], [], blob, new byte[1], [], [], skS.PublicKey));
    }
}
