namespace Stir.Encrypted.Certificates;

/// <summary>The object identifiers STIR certificates use.</summary>
internal static class StirOids
{
    /// <summary>RFC 8226 §9: id-pe-TNAuthList ::= { id-pe 26 }.</summary>
    public const string TNAuthList = "1.3.6.1.5.5.7.1.26";

    /// <summary>RFC 8226 §8: id-pe-JWTClaimConstraints ::= { id-pe 27 }.</summary>
    public const string JwtClaimConstraints = "1.3.6.1.5.5.7.1.27";

    /// <summary>RFC 9118 §3: id-pe-eJWTClaimConstraints ::= { id-pe 33 }.</summary>
    public const string EnhancedJwtClaimConstraints = "1.3.6.1.5.5.7.1.33";

    /// <summary>secp256r1 / NIST P-256 (RFC 5480 §2.1.1.1).</summary>
    public const string P256 = "1.2.840.10045.3.1.7";

    /// <summary>PKCS #9 extensionRequest, the CSR attribute that carries requested extensions (RFC 2985 §5.4.2).</summary>
    public const string ExtensionRequest = "1.2.840.113549.1.9.14";
}
