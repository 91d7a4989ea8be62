namespace Stir.Encrypted.Hpke;

/// <summary>
/// The key encapsulation mechanisms this library implements (RFC 9180 §7.1, Table 2). The value of each
/// member is its IANA <c>kem_id</c>.
/// </summary>
public enum HpkeKem
{
    /// <summary>DHKEM(P-256, HKDF-SHA256), <c>kem_id</c> 0x0010: 65-byte uncompressed SEC1 public keys.</summary>
    P256HkdfSha256 = 0x0010,

    /// <summary>DHKEM(P-521, HKDF-SHA512), <c>kem_id</c> 0x0012: 133-byte uncompressed SEC1 public keys.</summary>
    P521HkdfSha512 = 0x0012,

    /// <summary>DHKEM(X25519, HKDF-SHA256), <c>kem_id</c> 0x0020: 32-byte public keys (RFC 7748).</summary>
    X25519HkdfSha256 = 0x0020,
}
