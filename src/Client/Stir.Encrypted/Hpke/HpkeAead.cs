namespace Stir.Encrypted.Hpke;

/// <summary>
/// The AEADs that protect HPKE messages (RFC 9180 §7.3, Table 5). The value of each member is its IANA
/// <c>aead_id</c>.
/// </summary>
public enum HpkeAead
{
    /// <summary>AES-128-GCM, <c>aead_id</c> 0x0001: 16-byte key, 12-byte nonce, 16-byte tag.</summary>
    Aes128Gcm = 0x0001,

    /// <summary>AES-256-GCM, <c>aead_id</c> 0x0002: 32-byte key, 12-byte nonce, 16-byte tag.</summary>
    Aes256Gcm = 0x0002,

    /// <summary>ChaCha20-Poly1305 (RFC 8439), <c>aead_id</c> 0x0003: 32-byte key, 12-byte nonce, 16-byte tag.</summary>
    ChaCha20Poly1305 = 0x0003,

    /// <summary>
    /// Export-only, <c>aead_id</c> 0xFFFF (RFC 9180 §5.3): the context derives secrets with <c>Export</c>
    /// and cannot seal or open messages.
    /// </summary>
    ExportOnly = 0xFFFF,
}
