using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// An HKDF of RFC 9180 §7.2 with the labelled functions of §4. The <c>suite_id</c> is passed in because
/// the same KDF serves inside a DHKEM (<c>"KEM" || kem_id</c>) and in the key schedule
/// (<c>"HPKE" || kem_id || kdf_id || aead_id</c>).
/// </summary>
/// <remarks>
/// HKDF-SHA256, the KDF of the blob suite, runs in libsodium (the one NSec ships, <see cref="Sodium"/>). The
/// BCL's <see cref="HKDF"/> goes through OpenSSL 3, whose per-call setup costs more than the hashing itself:
/// measured in thread CPU time on this project's 2-core machine (bench/, <c>costs</c> mode), 4.0–4.5 µs per
/// Extract and 3.2–3.4 µs per Expand against 2.2 µs each in libsodium. A single-shot seal or open makes 7 such
/// calls, a quarter of its cost, and a callee makes them for every blob it trial-opens. SHA-384 and SHA-512
/// stay with the BCL.
/// </remarks>
internal sealed unsafe class Kdf
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
            Extract(salt, labeledIkm, prk);
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
            Expand(prk, labeledInfo, output);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // RFC 5869 §2.2 HKDF-Extract(salt, IKM).
    private void Extract(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        if (Id != HpkeKdf.HkdfSha256)
        {
            HKDF.Extract(Hash, ikm, salt, prk);
            return;
        }

        int rc;
        fixed (byte* p = prk)
        fixed (byte* s = salt)
        fixed (byte* k = ikm)
        {
            rc = Sodium.crypto_kdf_hkdf_sha256_extract(p, s, (nuint)salt.Length, k, (nuint)ikm.Length);
        }

        if (rc != 0)
        {
            throw new CryptographicException("libsodium crypto_kdf_hkdf_sha256_extract failed");
        }
    }

    // RFC 5869 §2.3 HKDF-Expand(PRK, info, L). libsodium takes a PRK of exactly HashLen bytes, which is what
    // every HPKE caller passes (an Extract output); any other length goes to the BCL, which takes any.
    private void Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (Id != HpkeKdf.HkdfSha256 || prk.Length != Nh)
        {
            HKDF.Expand(Hash, prk, output, info);
            return;
        }

        int rc;
        fixed (byte* o = output)
        fixed (byte* c = info)
        fixed (byte* p = prk)
        {
            rc = Sodium.crypto_kdf_hkdf_sha256_expand(o, (nuint)output.Length, c, (nuint)info.Length, p);
        }

        if (rc != 0)
        {
            throw new CryptographicException("libsodium crypto_kdf_hkdf_sha256_expand failed");
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
