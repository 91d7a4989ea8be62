using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The caller's half of spec/protocol.md §4–§6: the PASSporT set padded into the smallest size class that
/// fits, then sealed to one key holder of the called number with that holder's index bound as HPKE
/// <c>info</c>. A caller seals once per holder, each under the holder's own index (and bucket).
/// </summary>
public static class BlobSealer
{
    /// <summary>The only blob suite of version 1.</summary>
    public static HpkeSuite Suite => HpkeSuite.X25519Sha256ChaCha20Poly1305;

    /// <summary>Seals <paramref name="passports"/> to <paramref name="holder"/> under <paramref name="index"/>, the holder's index for this call.</summary>
    /// <exception cref="ArgumentException">A holder key of another KEM, or a PASSporT set too large for every class.</exception>
    public static byte[] Seal(CpsConfiguration configuration, BlobIndex index, IReadOnlyList<string> passports, HpkePublicKey holder)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(holder);
        if (holder.Kem != Suite.Kem)
        {
            throw new ArgumentException($"blobs are sealed with {Suite.Name}; this key is for KEM {holder.Kem}", nameof(holder));
        }

        var length = BlobPlaintext.PayloadLength(passports);
        var sizeClass = configuration.ClassFor(length)
            ?? throw new ArgumentException($"the PASSporT set needs {length} bytes; this CPS's largest class carries {configuration.Classes[^1].PayloadCapacity}", nameof(passports));
        var plaintext = BlobPlaintext.Encode(passports, sizeClass.PlaintextSize);
        try
        {
            return Suite.Seal(holder, index.HpkeInfo(), [], plaintext);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
