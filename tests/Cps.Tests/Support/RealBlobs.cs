using System.Globalization;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Real blobs exactly as a caller makes them (spec §4–§6), with the project's <see cref="BlobSealer"/>: the padded
/// PASSporT plaintext under a random content key, sealed to 1 to <see cref="BlobSealer.StanzaCount"/> of several
/// recipients under a call's index (<c>enc ‖ stanzas ‖ body</c>). The index costs one HMAC per call: the Argon2id
/// step is cheap here and paid once, through a <see cref="DestinationKeyCache"/>.
/// </summary>
internal sealed class RealBlobs : IDisposable
{
    private static readonly TelephoneNumber Dest = TelephoneNumber.ParseE164("+12025550100");
    private readonly HpkePrivateKey[] _recipients;
    private readonly Random _random;
    private readonly DestinationKeyCache _keys = new(new IndexParameters(new byte[32], memoryKiB: 8, iterations: 1, bucketBits: 14, epochSeconds: 3600));
    private long _calls;

    public RealBlobs(int seed, int recipients = 20)
    {
        _random = new Random(seed);
        _recipients = [.. Enumerable.Range(0, recipients).Select(_ => HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256))];
    }

    /// <summary>The recipients blobs are sealed to (to tell used stanzas from unused ones).</summary>
    public IReadOnlyList<HpkePrivateKey> Recipients => _recipients;

    public byte[] Make(int size = 2048) => MakeCall(size).Blob;

    /// <summary>A blob and what a test needs to look inside it: its index and the keys it is sealed to.</summary>
    public (byte[] Blob, BlobIndex Index, IReadOnlyList<HpkePrivateKey> Holders) MakeCall(int size = 2048, int? holders = null)
    {
        var count = holders ?? _random.Next(1, BlobSealer.StanzaCount + 1);
        var chosen = _recipients.OrderBy(_ => _random.Next()).Take(count).ToList();
        var orig = TelephoneNumber.ParseE164("+1303" + (5_550_000 + _calls++).ToString("D7", CultureInfo.InvariantCulture));
        var index = _keys.Derive(orig, Dest, 1);
        var configuration = new CpsConfiguration(_keys.Parameters, [new SizeClass(size, 16)], RetentionPolicy.Default, false, 8, 5);
        var blob = Assert.Single(BlobSealer.Seal(configuration, index, Passports(), [.. chosen.Select(k => k.PublicKey)]));
        return (blob, index, chosen);
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
