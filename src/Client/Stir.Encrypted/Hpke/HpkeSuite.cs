using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// An HPKE ciphersuite (RFC 9180 §4): a KEM, a KDF and an AEAD, and the sizes that follow from them.
/// Names such as <c>x25519-sha256-chacha20poly1305</c> (<c>&lt;kem&gt;-&lt;kdf&gt;-&lt;aead&gt;</c>) identify a
/// suite in configuration and on the command line.
/// </summary>
/// <remarks>
/// A suite also performs HPKE, as NSec's algorithm objects do: single-shot <c>Seal</c>/<c>TryOpen</c> and
/// the multi-message contexts (HpkeSuite.Operations.cs). A static class named <c>Hpke</c> would share its
/// name with this namespace, and inside any <c>Stir.Encrypted.*</c> namespace <c>Hpke.Seal</c> would then
/// resolve to the namespace, not the class.
/// </remarks>
public sealed partial class HpkeSuite : IEquatable<HpkeSuite>
{
    private readonly byte[] _suiteId;
    private readonly byte[] _emptyPskIdHash;

    private HpkeSuite(HpkeKem kem, HpkeKdf kdf, HpkeAead aead)
    {
        Kem = kem;
        Kdf = kdf;
        Aead = aead;
        KemAlgorithm = Dhkem.For(kem);
        KdfAlgorithm = Stir.Encrypted.Hpke.Kdf.For(kdf);
        AeadAlgorithm = Stir.Encrypted.Hpke.Aead.For(aead);

        // RFC 9180 §5.1: suite_id = concat("HPKE", I2OSP(kem_id, 2), I2OSP(kdf_id, 2), I2OSP(aead_id, 2))
        _suiteId = new byte[10];
        "HPKE"u8.CopyTo(_suiteId);
        BinaryPrimitives.WriteUInt16BigEndian(_suiteId.AsSpan(4), (ushort)kem);
        BinaryPrimitives.WriteUInt16BigEndian(_suiteId.AsSpan(6), (ushort)kdf);
        BinaryPrimitives.WriteUInt16BigEndian(_suiteId.AsSpan(8), (ushort)aead);
        Name = $"{KemName(kem)}-{KdfName(kdf)}-{AeadName(aead)}";

        // RFC 9180 §5.1 psk_id_hash = LabeledExtract("", "psk_id_hash", psk_id) with the empty psk_id of modes
        // base and auth: the same for every message of the suite, so the key schedule does not recompute it.
        _emptyPskIdHash = new byte[KdfAlgorithm.Nh];
        KdfAlgorithm.LabeledExtract(_suiteId, default, "psk_id_hash"u8, default, _emptyPskIdHash);
    }

    /// <summary>DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305: the project's default suite.</summary>
    public static HpkeSuite X25519Sha256ChaCha20Poly1305 { get; } = new(HpkeKem.X25519HkdfSha256, HpkeKdf.HkdfSha256, HpkeAead.ChaCha20Poly1305);

    /// <summary>DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.</summary>
    public static HpkeSuite X25519Sha256Aes128Gcm { get; } = new(HpkeKem.X25519HkdfSha256, HpkeKdf.HkdfSha256, HpkeAead.Aes128Gcm);

    /// <summary>DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.</summary>
    public static HpkeSuite P256Sha256Aes128Gcm { get; } = new(HpkeKem.P256HkdfSha256, HpkeKdf.HkdfSha256, HpkeAead.Aes128Gcm);

    /// <summary>The KEM.</summary>
    public HpkeKem Kem { get; }

    /// <summary>The KDF of the key schedule.</summary>
    public HpkeKdf Kdf { get; }

    /// <summary>The AEAD.</summary>
    public HpkeAead Aead { get; }

    /// <summary>The suite's name, e.g. <c>x25519-sha256-chacha20poly1305</c>; <see cref="Parse"/> reads it back.</summary>
    public string Name { get; }

    /// <summary>Nenc: the size of the encapsulated key that starts every single-shot ciphertext.</summary>
    public int EncapsulatedKeySize => KemAlgorithm.Nenc;

    /// <summary>Nt: how many bytes longer than its plaintext each AEAD ciphertext is (0 for export-only).</summary>
    public int TagSize => AeadAlgorithm.Nt;

    /// <summary>True for the export-only AEAD (0xFFFF): contexts can only <c>Export</c>.</summary>
    public bool IsExportOnly => AeadAlgorithm.IsExportOnly;

    internal Dhkem KemAlgorithm { get; }

    internal Kdf KdfAlgorithm { get; }

    internal Aead AeadAlgorithm { get; }

    internal ReadOnlySpan<byte> SuiteId => _suiteId;

    /// <summary>psk_id_hash for the empty psk_id (modes base and auth), RFC 9180 §5.1.</summary>
    internal ReadOnlySpan<byte> EmptyPskIdHash => _emptyPskIdHash;

    /// <summary>The suite of these three algorithms.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An identifier is not one this library implements.</exception>
    public static HpkeSuite Create(HpkeKem kem, HpkeKdf kdf, HpkeAead aead)
    {
        var known = All.FirstOrDefault(s => s.Kem == kem && s.Kdf == kdf && s.Aead == aead);
        return known ?? new HpkeSuite(kem, kdf, aead);
    }

    /// <summary>
    /// Reads a suite name <c>&lt;kem&gt;-&lt;kdf&gt;-&lt;aead&gt;</c> (case-insensitive): kem <c>x25519</c>,
    /// <c>p256</c> or <c>p521</c>; kdf <c>sha256</c>, <c>sha384</c> or <c>sha512</c>; aead <c>aes128gcm</c>,
    /// <c>aes256gcm</c>, <c>chacha20poly1305</c> or <c>exportonly</c>.
    /// </summary>
    /// <exception cref="HpkeFormatException">The name is not of that form; the message says which part is wrong.</exception>
    public static HpkeSuite Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryParse(name, out var suite, out var error) ? suite : throw error;
    }

    /// <summary>Like <see cref="Parse"/>, returning false and the reason instead of throwing.</summary>
    public static bool TryParse(string name, [NotNullWhen(true)] out HpkeSuite? suite, [NotNullWhen(false)] out HpkeFormatException? error)
    {
        ArgumentNullException.ThrowIfNull(name);
        suite = null;
        var parts = name.Split('-');
        if (parts.Length != 3)
        {
            error = new HpkeFormatException("suite name", $"\"{name}\" is not <kem>-<kdf>-<aead>, e.g. x25519-sha256-chacha20poly1305");
            return false;
        }

        HpkeKem? kem = parts[0].ToUpperInvariant() switch
        {
            "X25519" => HpkeKem.X25519HkdfSha256,
            "P256" => HpkeKem.P256HkdfSha256,
            "P521" => HpkeKem.P521HkdfSha512,
            _ => null,
        };
        HpkeKdf? kdf = parts[1].ToUpperInvariant() switch
        {
            "SHA256" => HpkeKdf.HkdfSha256,
            "SHA384" => HpkeKdf.HkdfSha384,
            "SHA512" => HpkeKdf.HkdfSha512,
            _ => null,
        };
        HpkeAead? aead = parts[2].ToUpperInvariant() switch
        {
            "AES128GCM" => HpkeAead.Aes128Gcm,
            "AES256GCM" => HpkeAead.Aes256Gcm,
            "CHACHA20POLY1305" => HpkeAead.ChaCha20Poly1305,
            "EXPORTONLY" => HpkeAead.ExportOnly,
            _ => null,
        };
        error = (kem, kdf, aead) switch
        {
            (null, _, _) => new HpkeFormatException("suite name", $"unknown KEM \"{parts[0]}\" in \"{name}\" (expected x25519, p256 or p521)"),
            (_, null, _) => new HpkeFormatException("suite name", $"unknown KDF \"{parts[1]}\" in \"{name}\" (expected sha256, sha384 or sha512)"),
            (_, _, null) => new HpkeFormatException("suite name", $"unknown AEAD \"{parts[2]}\" in \"{name}\" (expected aes128gcm, aes256gcm, chacha20poly1305 or exportonly)"),
            _ => null,
        };
        if (error is not null)
        {
            return false;
        }

        suite = Create(kem!.Value, kdf!.Value, aead!.Value);
        return true;
    }

    /// <summary>
    /// The size of a single-shot ciphertext (<c>enc || ct</c>) for a plaintext of
    /// <paramref name="plaintextLength"/> bytes: Nenc + plaintext + Nt.
    /// </summary>
    /// <exception cref="InvalidOperationException">The suite is export-only.</exception>
    public int CiphertextSize(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        ThrowIfExportOnly();
        return checked(EncapsulatedKeySize + plaintextLength + TagSize);
    }

    /// <summary>
    /// The size of the plaintext in a single-shot ciphertext of <paramref name="ciphertextLength"/> bytes;
    /// 0 when it is too short to be one (opening it then returns false).
    /// </summary>
    /// <exception cref="InvalidOperationException">The suite is export-only.</exception>
    public int PlaintextSize(int ciphertextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ciphertextLength);
        ThrowIfExportOnly();
        return Math.Max(0, ciphertextLength - EncapsulatedKeySize - TagSize);
    }

    /// <inheritdoc/>
    public bool Equals(HpkeSuite? other) => other is not null && other.Kem == Kem && other.Kdf == Kdf && other.Aead == Aead;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HpkeSuite);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kem, Kdf, Aead);

    /// <summary>The suite's <see cref="Name"/>.</summary>
    public override string ToString() => Name;

    internal void ThrowIfExportOnly()
    {
        if (IsExportOnly)
        {
            throw new InvalidOperationException($"suite {Name} is export-only (aead_id 0xFFFF): it cannot seal or open messages, only export secrets (RFC 9180 §5.3)");
        }
    }

    private static IEnumerable<HpkeSuite> All => [X25519Sha256ChaCha20Poly1305, X25519Sha256Aes128Gcm, P256Sha256Aes128Gcm];

    private static string KemName(HpkeKem kem) => kem switch
    {
        HpkeKem.X25519HkdfSha256 => "x25519",
        HpkeKem.P256HkdfSha256 => "p256",
        HpkeKem.P521HkdfSha512 => "p521",
        _ => throw new ArgumentOutOfRangeException(nameof(kem), kem, "not an HPKE KEM this library implements"),
    };

    private static string KdfName(HpkeKdf kdf) => kdf switch
    {
        HpkeKdf.HkdfSha256 => "sha256",
        HpkeKdf.HkdfSha384 => "sha384",
        HpkeKdf.HkdfSha512 => "sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(kdf), kdf, "not an HPKE KDF this library implements"),
    };

    private static string AeadName(HpkeAead aead) => aead switch
    {
        HpkeAead.Aes128Gcm => "aes128gcm",
        HpkeAead.Aes256Gcm => "aes256gcm",
        HpkeAead.ChaCha20Poly1305 => "chacha20poly1305",
        HpkeAead.ExportOnly => "exportonly",
        _ => throw new ArgumentOutOfRangeException(nameof(aead), aead, "not an HPKE AEAD this library implements"),
    };
}
