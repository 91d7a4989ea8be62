using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The caller's half of spec/protocol.md §4–§6: the PASSporT set padded once, then sealed to every key holder
/// of the called number with the call's index bound as HPKE <c>info</c>. One blob per holder, all the same size.
/// </summary>
public static class BlobSealer
{
    /// <summary>The only blob suite of version 1.</summary>
    public static HpkeSuite Suite => HpkeSuite.X25519Sha256ChaCha20Poly1305;

    /// <summary>Seals <paramref name="passports"/> to each of <paramref name="recipients"/>, in the smallest size class that fits.</summary>
    /// <exception cref="ArgumentException">No recipient, a recipient key of another KEM, or a PASSporT set too large for every class.</exception>
    public static IReadOnlyList<byte[]> Seal(CpsConfiguration configuration, BlobIndex index, IReadOnlyList<string> passports, IReadOnlyList<HpkePublicKey> recipients)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("at least one key holder to seal to", nameof(recipients));
        }

        if (recipients.Count > configuration.MaxBlobsPerStore)
        {
            throw new ArgumentException($"{recipients.Count} key holders; this CPS takes at most {configuration.MaxBlobsPerStore} blobs per store", nameof(recipients));
        }

        var length = BlobPlaintext.PayloadLength(passports);
        var sizeClass = configuration.ClassFor(length)
            ?? throw new ArgumentException($"the PASSporT set needs {length} bytes; this CPS's largest class carries {configuration.Classes[^1].PayloadCapacity}", nameof(passports));
        var plaintext = BlobPlaintext.Encode(passports, sizeClass.PlaintextSize);
        var info = index.HpkeInfo();
        var blobs = new byte[recipients.Count][];
        for (var i = 0; i < recipients.Count; i++)
        {
            blobs[i] = Suite.Seal(recipients[i], info, [], plaintext);
        }

        return blobs;
    }
}
