using NSec.Cryptography;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Real blobs as a caller makes them (spec §4, §6), HPKE-shaped: an ephemeral X25519 key agreed with the
/// recipient's key, HKDF-SHA256 to a ChaCha20-Poly1305 key and nonce, and the padded PASSporT plaintext
/// sealed: <c>enc ‖ ct ‖ tag</c>. (The integrator switches this to the project's HPKE.)
/// </summary>
internal sealed class RealBlobs : IDisposable
{
    private readonly Key[] _recipients;
    private readonly Random _random;

    public RealBlobs(int seed, int recipients = 20)
    {
        _random = new Random(seed);
        _recipients = [.. Enumerable.Range(0, recipients).Select(_ => Key.Create(KeyAgreementAlgorithm.X25519))];
    }

    public byte[] Make(int size = 2048)
    {
        var recipient = _recipients[_random.Next(_recipients.Length)];
        using var ephemeral = Key.Create(KeyAgreementAlgorithm.X25519);
        using var shared = KeyAgreementAlgorithm.X25519.Agree(ephemeral, recipient.PublicKey)!;
        var enc = ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var keyAndNonce = KeyDerivationAlgorithm.HkdfSha256.DeriveBytes(shared, enc, "stir-oob/v1/blob\0test"u8, 32 + 12);

        var plaintext = BlobPlaintext.Encode(Passports(), size - 48);
        var blob = new byte[size];
        enc.CopyTo(blob, 0);
        using var aead = new System.Security.Cryptography.ChaCha20Poly1305(keyAndNonce.AsSpan(0, 32));
        aead.Encrypt(keyAndNonce.AsSpan(32, 12), plaintext, blob.AsSpan(32, plaintext.Length), blob.AsSpan(size - 16));
        return blob;
    }

    public void Dispose()
    {
        foreach (var key in _recipients)
        {
            key.Dispose();
        }
    }

    // One or two compact JWS strings of realistic lengths (the content is encrypted, only the shape matters).
    private string[] Passports()
    {
        var count = _random.Next(1, 3);
        return [.. Enumerable.Range(0, count).Select(_ => $"{Part(60, 140)}.{Part(120, 260)}.{Part(86, 86)}")];
    }

    private string Part(int min, int max)
    {
        var bytes = new byte[_random.Next(min, max + 1) * 3 / 4];
        _random.NextBytes(bytes);
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }
}
