using System.Buffers.Text;
using System.Globalization;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Calls to one called number with several key holders, made exactly as a caller makes them (spec/protocol.md
/// §4–§6): each call has a fresh calling number, one index (<see cref="BlobIndex"/>, one bucket) and one blob sealed
/// with <see cref="BlobSealer"/> to every holder (up to <see cref="BlobSealer.StanzaCount"/>). The index parameters are the
/// ones the CPS publishes: Argon2id at its full cost, paid once per epoch through a <see cref="DestinationKeyCache"/>
/// so that every further call costs one HMAC.
/// </summary>
internal sealed class SealedCalls : IDisposable
{
    private readonly CpsConfiguration _configuration;
    private readonly DestinationKeyCache _keys;
    private readonly HpkePrivateKey[] _holders;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private long _calls;

    public SealedCalls(CpsConfiguration configuration, int holders, int seed, string dest = "+12025550100")
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration;
        _keys = new DestinationKeyCache(configuration.Index);
        _holders = [.. Enumerable.Range(0, holders).Select(_ => HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256))];
        _random = new Random(seed);
        Dest = TelephoneNumber.ParseE164(dest);
    }

    public TelephoneNumber Dest { get; }

    public IReadOnlyList<HpkePrivateKey> Holders => _holders;

    /// <summary>The epoch a caller stores under now (spec §5: e = floor(now / E)).</summary>
    public ulong CurrentEpoch => _configuration.Index.EpochAt(TimeProvider.System.GetUtcNow());

    /// <summary>
    /// A new call in <paramref name="epoch"/>: its one blob, sealed to every holder. <see cref="SealedCall.Holder"/> names
    /// the holder a test checks it with, in turn (or <paramref name="holder"/>); any holder opens it.
    /// </summary>
    public SealedCall Next(ulong epoch, int? holder = null)
    {
        long number;
        int h;
        string passport;
        lock (_lock)
        {
            number = _calls++;
            h = holder ?? (int)(number % _holders.Length);
            passport = $"{Segment(48)}.{Base64Url.EncodeToString(BitConverter.GetBytes(number))}{Segment(120)}.{Segment(64)}";
        }

        var orig = TelephoneNumber.ParseE164("+1303" + (5_550_000 + number).ToString("D7", CultureInfo.InvariantCulture));
        var index = _keys.Derive(orig, Dest, epoch);
        var blob = Assert.Single(BlobSealer.Seal(_configuration, index, [passport], [.. _holders.Select(k => k.PublicKey)]));
        return new SealedCall(index, h, blob, passport);
    }

    /// <summary>What <paramref name="holder"/> opens among <paramref name="blobs"/>, the bucket of <paramref name="index"/> (the call's index).</summary>
    public IReadOnlyList<OpenedBlob> Open(BlobIndex index, int holder, IReadOnlyList<ReadOnlyMemory<byte>> blobs) =>
        BucketOpener.Open(index, blobs, _holders[holder]);

    public void Dispose()
    {
        foreach (var holder in _holders)
        {
            holder.Dispose();
        }
    }

    // Base64url text of a realistic JWS segment; the content is encrypted, only the shape matters.
    private string Segment(int bytes)
    {
        var data = new byte[bytes];
        _random.NextBytes(data);
        return Base64Url.EncodeToString(data);
    }
}

/// <summary>A call: its index (epoch, bucket, tag), the holder a test checks it with, its one sealed blob and the PASSporT inside.</summary>
internal sealed record SealedCall(BlobIndex Index, int Holder, byte[] Blob, string Passport);
