using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// An HKDF of RFC 9180 §7.2 with the labelled functions of §4. The <c>suite_id</c> is passed in because
/// the same KDF serves inside a DHKEM (<c>"KEM" || kem_id</c>) and in the key schedule
/// (<c>"HPKE" || kem_id || kdf_id || aead_id</c>).
/// </summary>
internal sealed class Kdf
{
    public static readonly Kdf HkdfSha256 = new(HpkeKdf.HkdfSha256, HashAlgorithmName.SHA256, 32);
    public static readonly Kdf HkdfSha384 = new(HpkeKdf.HkdfSha384, HashAlgorithmName.SHA384, 48);
    public static readonly Kdf HkdfSha512 = new(HpkeKdf.HkdfSha512, HashAlgorithmName.SHA512, 64);

    // Inputs up to this size are labelled on the stack; larger ones (long info or psk) in a pooled buffer.
    private const int StackLimit = 256;

    private Kdf(HpkeKdf id, HashAlgorithmName hash, int nh)
    {
        Id = id;
        Hash = hash;
        Nh = nh;
    }

    public HpkeKdf Id { get; }

    public HashAlgorithmName Hash { get; }

    /// <summary>The output size of Extract, in bytes.</summary>
    public int Nh { get; }

    /// <summary>The largest L that Expand can produce (RFC 5869 §2.3: 255 · HashLen).</summary>
    public int MaxExpandLength => 255 * Nh;

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    public static Kdf For(HpkeKdf id) => id switch
    {
        HpkeKdf.HkdfSha256 => HkdfSha256,
        HpkeKdf.HkdfSha384 => HkdfSha384,
        HpkeKdf.HkdfSha512 => HkdfSha512,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "not an HPKE KDF this library implements"),
    };

    // RFC 9180 §4 LabeledExtract(salt, label, ikm):
    //   labeled_ikm = concat("HPKE-v1", suite_id, label, ikm); return Extract(salt, labeled_ikm)
    public void LabeledExtract(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        if (prk.Length != Nh)
        {
            throw new ArgumentException($"Extract output is Nh = {Nh} bytes", nameof(prk));
        }

        var length = Version.Length + suiteId.Length + label.Length + ikm.Length;
        byte[]? rented = null;
        var labeledIkm = length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        labeledIkm = labeledIkm[..length];
        try
        {
            Concat(labeledIkm, Version, suiteId, label, ikm);
            HKDF.Extract(Hash, labeledIkm, salt, prk);
        }
        finally
        {
            // ikm is secret (a DH output, a psk), so its labelled copy is too.
            CryptographicOperations.ZeroMemory(labeledIkm);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // RFC 9180 §4 LabeledExpand(prk, label, info, L):
    //   labeled_info = concat(I2OSP(L, 2), "HPKE-v1", suite_id, label, info); return Expand(prk, labeled_info, L)
    public void LabeledExpand(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (output.Length == 0 || output.Length > MaxExpandLength)
        {
            throw new ArgumentOutOfRangeException(nameof(output), output.Length, $"Expand produces 1 to {MaxExpandLength} bytes with {Id}");
        }

        var length = 2 + Version.Length + suiteId.Length + label.Length + info.Length;
        byte[]? rented = null;
        var labeledInfo = length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        labeledInfo = labeledInfo[..length];
        try
        {
            BinaryPrimitives.WriteUInt16BigEndian(labeledInfo, (ushort)output.Length);
            Concat(labeledInfo[2..], Version, suiteId, label, info);
            HKDF.Expand(Hash, prk, output, labeledInfo);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Concat(Span<byte> destination, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d)
    {
        a.CopyTo(destination);
        destination = destination[a.Length..];
        b.CopyTo(destination);
        destination = destination[b.Length..];
        c.CopyTo(destination);
        d.CopyTo(destination[c.Length..]);
    }
}
