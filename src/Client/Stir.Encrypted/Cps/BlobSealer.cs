using System.Security.Cryptography;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The caller's half of spec/protocol.md §4–§6: the PASSporT set padded into the smallest size class that fits,
/// encrypted once under a random content key, and that key sealed to every key holder of the called number in
/// the blob's header, so that one blob in one bucket serves all of them (up to <see cref="StanzaCount"/> holders
/// per blob). A call is therefore a single arrival at the CPS, like a natural slot renewal.
/// </summary>
public static class BlobSealer
{
    /// <summary>R: the stanzas in every blob's header, used or not (carrier, reseller, enterprise, user).</summary>
    public const int StanzaCount = 4;

    /// <summary>A stanza: the 32-byte content key sealed to one holder, with its 16-byte AEAD tag.</summary>
    public const int StanzaSize = ContentKeySize + 16;

    /// <summary>The content key CEK that encrypts the body.</summary>
    internal const int ContentKeySize = 32;

    /// <summary>The shared <c>enc</c>: the caller's ephemeral X25519 public key.</summary>
    internal const int EncSize = 32;

    /// <summary><c>enc ‖ stanza_1 … stanza_R</c>: the header before the body, all of it bound to the body as aad.</summary>
    public const int HeaderSize = EncSize + (StanzaCount * StanzaSize);

    /// <summary>The only blob suite of version 1.</summary>
    public static HpkeSuite Suite => HpkeSuite.X25519Sha256ChaCha20Poly1305;

    /// <summary>How many blobs a call to a number with <paramref name="holders"/> distinct key holders needs: ⌈H/R⌉.</summary>
    internal static int BlobsFor(int holders)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(holders, 1);
        return (holders + StanzaCount - 1) / StanzaCount;
    }

    /// <summary>
    /// Seals <paramref name="passports"/> for every one of <paramref name="holders"/> under <paramref name="index"/>, the
    /// call's index: one blob for up to <see cref="StanzaCount"/> distinct holders, ⌈H/R⌉ blobs of the same size
    /// beyond, all to be stored in one request to the index's bucket. A key listed twice gets one stanza.
    /// </summary>
    /// <exception cref="ArgumentException">No holder, a holder key of another KEM, a PASSporT set too large for every class, or more blobs than the CPS takes in one store.</exception>
    public static IReadOnlyList<byte[]> Seal(CpsConfiguration configuration, BlobIndex index, IReadOnlyList<string> passports, IReadOnlyList<HpkePublicKey> holders) =>
        Seal(configuration, index, passports, holders, BlobRandomness.System);

    // The worked examples of spec/protocol.md Appendix A need byte-exact blobs and the statistical tests a fixed
    // seed, so tests may fix every random choice (as RFC 9180's own vectors fix the ephemeral key with
    // DeriveKeyPair); production always passes BlobRandomness.System.
    internal static IReadOnlyList<byte[]> Seal(CpsConfiguration configuration, BlobIndex index, IReadOnlyList<string> passports, IReadOnlyList<HpkePublicKey> holders, BlobRandomness randomness)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(holders);
        ArgumentNullException.ThrowIfNull(randomness);
        if (holders.Count == 0)
        {
            throw new ArgumentException("a blob is sealed to at least one key holder", nameof(holders));
        }

        foreach (var holder in holders)
        {
            ArgumentNullException.ThrowIfNull(holder, nameof(holders));
            if (holder.Kem != Suite.Kem)
            {
                throw new ArgumentException($"blobs are sealed with {Suite.Name}; this key is for KEM {holder.Kem}", nameof(holders));
            }
        }

        // The same key twice would give two identical stanzas (same enc, same pkR, same CEK): a visible mark.
        var distinct = holders.Distinct().ToList();
        var count = BlobsFor(distinct.Count);
        if (count > configuration.MaxBlobsPerStore)
        {
            throw new ArgumentException($"{distinct.Count} key holders need {count} blobs of {StanzaCount} stanzas; this CPS takes at most {configuration.MaxBlobsPerStore} blobs in one store", nameof(holders));
        }

        var length = BlobPlaintext.PayloadLength(passports);
        var sizeClass = configuration.ClassFor(length)
            ?? throw new ArgumentException($"the PASSporT set needs {length} bytes; this CPS's largest class carries {configuration.Classes[^1].PayloadCapacity}", nameof(passports));
        var plaintext = BlobPlaintext.Encode(passports, sizeClass.PlaintextSize);
        try
        {
            var info = index.HpkeInfo();
            var blobs = new byte[count][];
            for (var b = 0; b < count; b++)
            {
                var group = distinct.Skip(b * StanzaCount).Take(StanzaCount).ToList();
                blobs[b] = new byte[sizeClass.Size];
                SealOne(info, plaintext, group, randomness, blobs[b]);
            }

            return blobs;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    // spec/protocol.md §4: blob = enc ‖ stanza_1 … stanza_R ‖ body.
    private static void SealOne(byte[] info, ReadOnlySpan<byte> plaintext, List<HpkePublicKey> holders, BlobRandomness randomness, Span<byte> blob)
    {
        var header = blob[..HeaderSize];
        Span<byte> cek = stackalloc byte[ContentKeySize];
        try
        {
            randomness.ContentKey(cek);
            var positions = randomness.Positions(StanzaCount);

            // One ephemeral key pair for every stanza of the blob: SetupBaseS(pkR_i, info) with the same skE gives
            // one shared enc and, through kem_context = enc ‖ pkR_i, an independent shared secret per holder.
            using (var ephemeral = randomness.EphemeralKey())
            {
                ephemeral.PublicKey.Export().CopyTo(header[..EncSize]);
                for (var i = 0; i < holders.Count; i++)
                {
                    using var context = Suite.SetupSender(holders[i], info, default, default, sender: null, ephemeral);
                    context.Seal([], cek, Stanza(header, positions[i]));
                }
            }

            for (var i = holders.Count; i < StanzaCount; i++)
            {
                randomness.UnusedStanza(Stanza(header, positions[i]));
            }

            // The body is bound to the whole header: a changed enc or stanza, used or not, makes it fail to open.
            Span<byte> nonce = stackalloc byte[12];
            using var cipher = Suite.AeadAlgorithm.CreateCipher(cek);
            cipher.Seal(nonce, header, plaintext, blob[HeaderSize..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(cek);
        }
    }

    internal static Span<byte> Stanza(Span<byte> header, int position) => header.Slice(EncSize + (position * StanzaSize), StanzaSize);
}
