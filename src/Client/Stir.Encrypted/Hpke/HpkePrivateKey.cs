using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// An HPKE private key with its public key. X25519 scalars live in libsodium guarded memory (locked,
/// fenced by guard pages, wiped when freed); P-256/P-521 keys in the platform's key object. Dispose the
/// holder as soon as the key is no longer needed; <see cref="ToString"/> never shows key material.
/// A key may be used from several threads at once (for example to trial-open blobs in parallel).
/// </summary>
public sealed class HpkePrivateKey : IDisposable
{
    private readonly DhPrivateKey _key;
    private int _disposed;

    private HpkePrivateKey(HpkeKem kem, DhPrivateKey key)
    {
        Kem = kem;
        _key = key;
        PublicKey = HpkePublicKey.FromTrusted(kem, key.PublicKey);
    }

    /// <summary>The KEM this key belongs to.</summary>
    public HpkeKem Kem { get; }

    /// <summary>pk(skX).</summary>
    public HpkePublicKey PublicKey { get; }

    internal DhPrivateKey Key
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _key;
        }
    }

    /// <summary>GenerateKeyPair() (RFC 9180 §4): a fresh key from the system's CSPRNG.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kem"/> is not implemented.</exception>
    public static HpkePrivateKey Generate(HpkeKem kem) => new(kem, Dhkem.For(kem).GenerateKeyPair());

    /// <summary>
    /// DeriveKeyPair(ikm) (RFC 9180 §7.1.3): the key pair that <paramref name="ikm"/> determines. ikm must
    /// have at least Nsk bytes (32 for X25519 and P-256, 66 for P-521) and as much entropy.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ikm"/> is shorter than Nsk.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kem"/> is not implemented.</exception>
    public static HpkePrivateKey DeriveKeyPair(HpkeKem kem, ReadOnlySpan<byte> ikm)
    {
        var dhkem = Dhkem.For(kem);

        // RFC 9180 §7.1.3: ikm SHOULD be at least Nsk bytes; a shorter one can only hold less entropy than the key.
        if (ikm.Length < dhkem.Nsk)
        {
            throw new ArgumentException($"{dhkem.Name} DeriveKeyPair needs at least Nsk = {dhkem.Nsk} bytes of ikm, got {ikm.Length}", nameof(ikm));
        }

        return new(kem, dhkem.DeriveKeyPair(ikm));
    }

    /// <summary>
    /// DeserializePrivateKey (RFC 9180 §7.1.2): X25519 keys are 32 bytes (clamped on import); P-256 and
    /// P-521 keys are big-endian scalars of 32 / 66 bytes in [1, n − 1].
    /// </summary>
    /// <exception cref="HpkeFormatException">The bytes are not a private key of <paramref name="kem"/>; the message says why.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kem"/> is not implemented.</exception>
    public static HpkePrivateKey Import(HpkeKem kem, ReadOnlySpan<byte> privateKey)
    {
        var dhkem = Dhkem.For(kem);
        var problem = dhkem.CheckPrivateKey(privateKey);
        return problem is null
            ? new HpkePrivateKey(kem, dhkem.CreatePrivateKey(privateKey))
            : throw new HpkeFormatException($"{dhkem.GroupName} private key", problem);
    }

    /// <summary>
    /// SerializePrivateKey(skX) (RFC 9180 §7.1.2): Nsk bytes; X25519 keys come out clamped. The caller
    /// owns the secret copy and should wipe it (<see cref="CryptographicOperations.ZeroMemory"/>).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public byte[] Export()
    {
        var key = Key;
        var skm = new byte[Dhkem.For(Kem).Nsk];
        key.Serialize(skm);
        return skm;
    }

    /// <summary>Wipes and frees the key material.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _key.Dispose();
        }
    }

    /// <summary>Names the KEM only, never key material.</summary>
    public override string ToString() => $"HPKE private key ({Dhkem.For(Kem).Name})";
}
