namespace Stir.Encrypted.Hpke;

/// <summary>
/// A recipient's (or sender's) HPKE public key, validated when it was imported (RFC 9180 §7.1.4): an
/// X25519 key is 32 bytes and not a small-order point; a P-256 or P-521 key is an uncompressed SEC 1
/// point on the curve.
/// </summary>
public sealed class HpkePublicKey : IEquatable<HpkePublicKey>
{
    private readonly byte[] _pkm;

    private HpkePublicKey(HpkeKem kem, byte[] pkm)
    {
        Kem = kem;
        _pkm = pkm;
    }

    /// <summary>The KEM this key belongs to.</summary>
    public HpkeKem Kem { get; }

    /// <summary>Npk: the size of the serialised key (32 for X25519, 65 for P-256, 133 for P-521).</summary>
    public int Size => _pkm.Length;

    /// <summary>SerializePublicKey(pkX) (RFC 9180 §7.1.1).</summary>
    internal ReadOnlySpan<byte> Bytes => _pkm;

    /// <summary>
    /// DeserializePublicKey (RFC 9180 §7.1.1) with the validation of §7.1.4: X25519 keys are 32 bytes and
    /// not small-order points; P-256/P-521 keys are <c>0x04 || X || Y</c> with both coordinates below the
    /// field prime and the point on the curve.
    /// </summary>
    /// <exception cref="HpkeFormatException">The bytes are not a valid public key of <paramref name="kem"/>; the message says why.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kem"/> is not implemented.</exception>
    public static HpkePublicKey Import(HpkeKem kem, ReadOnlySpan<byte> publicKey)
    {
        var dhkem = Dhkem.For(kem);
        var problem = dhkem.CheckPublicKey(publicKey);
        return problem is null
            ? new HpkePublicKey(kem, publicKey.ToArray())
            : throw new HpkeFormatException($"{dhkem.GroupName} public key", problem);
    }

    /// <summary>A key that <see cref="Dhkem.CheckPublicKey"/> already accepted (or that we computed).</summary>
    internal static HpkePublicKey FromTrusted(HpkeKem kem, byte[] pkm) => new(kem, pkm);

    /// <summary>SerializePublicKey(pkX) (RFC 9180 §7.1.1): Npk bytes.</summary>
    public byte[] Export() => (byte[])_pkm.Clone();

    /// <inheritdoc/>
    public bool Equals(HpkePublicKey? other) => other is not null && other.Kem == Kem && other._pkm.AsSpan().SequenceEqual(_pkm);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HpkePublicKey);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kem);
        hash.AddBytes(_pkm);
        return hash.ToHashCode();
    }

    /// <summary>Names the KEM only: keys are kept out of logs (CONVENTIONS.md).</summary>
    public override string ToString() => $"HPKE public key ({Dhkem.For(Kem).Name})";
}
