namespace Stir.Encrypted.Certificates;

/// <summary>Why a STIR certificate chain was not accepted; <see cref="None"/> when it was.</summary>
public enum StirChainFailure
{
    /// <summary>The chain is valid.</summary>
    None,

    /// <summary>The certificates could not be read (empty chain, bad PEM/DER/base64, too many certificates).</summary>
    Malformed,

    /// <summary>The <c>x5u</c> URL could not be fetched (scheme, HTTP status, size, content type, timeout).</summary>
    Fetch,

    /// <summary>A certificate's signature does not verify under its issuer's key.</summary>
    BadSignature,

    /// <summary>No issuer was found for a certificate: an intermediate is missing.</summary>
    MissingIntermediate,

    /// <summary>The chain ends at a self-signed certificate that is not a configured trust anchor.</summary>
    UntrustedRoot,

    /// <summary>A certificate of the chain has expired.</summary>
    Expired,

    /// <summary>A certificate of the chain is not valid yet.</summary>
    NotYetValid,

    /// <summary>A certificate of the chain is revoked (only when revocation checking is configured).</summary>
    Revoked,

    /// <summary>X.509 path validation failed for another reason (basic constraints, key usage, critical extension, ...).</summary>
    PathRejected,

    /// <summary>The end-entity key is not ECDSA P-256, so it cannot sign ES256 PASSporTs (RFC 8226 §4 item 5).</summary>
    KeyNotP256,

    /// <summary>The signing certificate is a CA certificate, or its key usage excludes digital signatures.</summary>
    NotEndEntity,

    /// <summary>The end-entity certificate has no TNAuthList.</summary>
    TNAuthListMissing,

    /// <summary>A TNAuthList of the chain does not decode.</summary>
    TNAuthListMalformed,

    /// <summary>RFC 9060 §4: a certificate's TNAuthList is not encompassed by an issuer's TNAuthList.</summary>
    DelegationNotEncompassed,

    /// <summary>The end-entity JWT claim constraints extension is malformed, or both kinds are present (RFC 9118 §6).</summary>
    ClaimConstraintsMalformed,
}
