using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Real blobs exactly as a caller makes them (spec §4, §6): the padded PASSporT plaintext sealed with the
/// project's HPKE (X25519, HKDF-SHA256, ChaCha20-Poly1305) to one of several recipients, under an index-like
/// <c>info</c>: <c>enc ‖ ct ‖ tag</c>.
/// </summary>
internal sealed class RealBlobs : IDisposable
{
    private readonly HpkePrivateKey[] _recipients;
    private readonly Random _random;

    public RealBlobs(int seed, int recipients = 20)
    {
        _random = new Random(seed);
        _recipients = [.. Enumerable.Range(0, recipients).Select(_ => HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256))];
    }

    public byte[] Make(int size = 2048)
    {
        var recipient = _recipients[_random.Next(_recipients.Length)];
        var info = new byte[48];
        _random.NextBytes(info);
        var plaintext = BlobPlaintext.Encode(Passports(), size - 48);
        return HpkeSuite.X25519Sha256ChaCha20Poly1305.Seal(recipient.PublicKey, info, [], plaintext);
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
