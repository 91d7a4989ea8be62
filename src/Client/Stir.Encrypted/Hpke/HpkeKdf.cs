namespace Stir.Encrypted.Hpke;

/// <summary>
/// The key derivation functions of the HPKE key schedule (RFC 9180 §7.2, Table 3). The value of each member
/// is its IANA <c>kdf_id</c>.
/// </summary>
public enum HpkeKdf
{
    /// <summary>HKDF-SHA256 (RFC 5869), <c>kdf_id</c> 0x0001.</summary>
    HkdfSha256 = 0x0001,

    /// <summary>HKDF-SHA384 (RFC 5869), <c>kdf_id</c> 0x0002.</summary>
    HkdfSha384 = 0x0002,

    /// <summary>HKDF-SHA512 (RFC 5869), <c>kdf_id</c> 0x0003.</summary>
    HkdfSha512 = 0x0003,
}
