namespace Stir.Encrypted.Jose;

/// <summary>Which part of a compact JWS (RFC 7515 §7.1) a structural problem is in.</summary>
internal enum JwsPart
{
    /// <summary>The token as a whole: its length, its segments.</summary>
    Token,

    /// <summary>The JOSE header.</summary>
    Header,

    /// <summary>The payload (a PASSporT's claims, a key record's claims).</summary>
    Payload,

    /// <summary>The signature.</summary>
    Signature,
}
