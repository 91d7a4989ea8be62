namespace Stir.Encrypted.Hpke;

/// <summary>The HPKE modes (RFC 9180 §5, Table 1). Only <see cref="Base"/> is public API.</summary>
internal enum HpkeMode : byte
{
    Base = 0x00,
    Psk = 0x01,
    Auth = 0x02,
    AuthPsk = 0x03,
}
