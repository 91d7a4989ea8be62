namespace Stir.Encrypted.Passports;

/// <summary>Which part of a PASSporT (or of the SIP Identity header carrying it) a format problem is in.</summary>
public enum PassportPart
{
    /// <summary>The token as a whole: its length, its segments.</summary>
    Token,

    /// <summary>The JOSE header (RFC 8225 §4).</summary>
    Header,

    /// <summary>The claims set, i.e. the JWS payload (RFC 8225 §5).</summary>
    Claims,

    /// <summary>The JWS signature (RFC 8225 §6, RFC 7518 §3.4).</summary>
    Signature,

    /// <summary>The SIP Identity header field value around the token (RFC 8224 §4).</summary>
    IdentityHeader,
}
