namespace Stir.Encrypted.Hpke;

/// <summary>
/// An AEAD of RFC 9180 §7.3 (RFC 5116 interface). Ciphertexts are <c>ciphertext || tag</c>, Nt bytes
/// longer than the plaintext. <see cref="CreateCipher"/> keys an instance for a context; the export-only
/// AEAD has none.
/// </summary>
internal sealed class Aead
{
    public static readonly Aead Aes128Gcm = new(HpkeAead.Aes128Gcm, nk: 16);
    public static readonly Aead Aes256Gcm = new(HpkeAead.Aes256Gcm, nk: 32);
    public static readonly Aead ChaCha20Poly1305 = new(HpkeAead.ChaCha20Poly1305, nk: 32);

    // RFC 9180 §7.3: the export-only AEAD has no Nk, Nn, Nt; the key schedule derives no key or nonce for it.
    public static readonly Aead ExportOnly = new(HpkeAead.ExportOnly, nk: 0);

    private Aead(HpkeAead id, int nk)
    {
        Id = id;
        Nk = nk;
        Nn = id == HpkeAead.ExportOnly ? 0 : 12;
        Nt = id == HpkeAead.ExportOnly ? 0 : 16;
    }

    public HpkeAead Id { get; }

    public int Nk { get; }

    public int Nn { get; }

    public int Nt { get; }

    public bool IsExportOnly => Id == HpkeAead.ExportOnly;

    public static Aead For(HpkeAead id) => id switch
    {
        HpkeAead.Aes128Gcm => Aes128Gcm,
        HpkeAead.Aes256Gcm => Aes256Gcm,
        HpkeAead.ChaCha20Poly1305 => ChaCha20Poly1305,
        HpkeAead.ExportOnly => ExportOnly,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "not an HPKE AEAD this library implements"),
    };

    public AeadCipher CreateCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != Nk)
        {
            throw new ArgumentException($"{Id} keys are {Nk} bytes", nameof(key));
        }

        return Id switch
        {
            HpkeAead.Aes128Gcm or HpkeAead.Aes256Gcm => new AesGcmCipher(key),
            HpkeAead.ChaCha20Poly1305 => new ChaCha20Poly1305Cipher(key),
            _ => throw new InvalidOperationException("the export-only AEAD cannot seal or open messages (RFC 9180 §5.3)"),
        };
    }
}
