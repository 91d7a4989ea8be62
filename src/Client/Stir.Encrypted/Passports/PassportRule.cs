namespace Stir.Encrypted.Passports;

/// <summary>
/// Which check a PASSporT (or a call's set of PASSporTs) failed. Stable: scripts and metrics key on these
/// names, so values are never renumbered or reused.
/// </summary>
public enum PassportRule
{
    /// <summary>No rule failed: the verdict is valid.</summary>
    None = 0,

    /// <summary>The token is not a well-formed PASSporT (see <see cref="PassportVerdict.FormatError"/>).</summary>
    Malformed = 1,

    /// <summary>The Identity header parameters (info, alg, ppt) disagree with the PASSporT header (RFC 8224 §4.1).</summary>
    IdentityHeaderMismatch = 2,

    /// <summary>The PASSporT type is not allowed by the verifier's policy.</summary>
    PptNotAllowed = 3,

    /// <summary>The header names its certificate in a way the policy refuses (x5u required, or x5c required).</summary>
    KeyReferencePolicy = 4,

    /// <summary>The signer's credential could not be resolved or validated (fetch, chain, expiry).</summary>
    CredentialUnavailable = 5,

    /// <summary>The ES256 signature does not verify under the signer's key.</summary>
    SignatureInvalid = 6,

    /// <summary><c>iat</c> is older than the freshness window (RFC 8224 §6.2 step 4).</summary>
    Stale = 7,

    /// <summary><c>iat</c> is further in the future than the allowed clock skew.</summary>
    IssuedInFuture = 8,

    /// <summary>The signer's credential has no authority over <c>orig.tn</c> (RFC 8224 §6.2 step 3).</summary>
    OrigNotCovered = 9,

    /// <summary>
    /// The identity the signer vouches for is a URI, not a telephone number: TN authority cannot be checked
    /// ("No-TN-Validation"); domain authority (RFC 8224 §8.4) is not checked here.
    /// </summary>
    NoTnValidation = 10,

    /// <summary>The expected called number is not in <c>dest</c> (RFC 8224 §6.2 step 2, RFC 8946 §4.2 step 1).</summary>
    DestMismatch = 11,

    /// <summary>A div/div-o signer has no authority over the <c>div</c> number it diverted from (RFC 8946 §3, §4.2 step 2).</summary>
    DivNotCovered = 12,

    /// <summary>A div PASSporT refers to no PASSporT of the call: none has its <c>div</c> in its <c>dest</c> (RFC 8946 §4.2).</summary>
    ChainIncomplete = 13,

    /// <summary>A div PASSporT's <c>orig</c> differs from the PASSporT it diverts (RFC 8946 §4.2 step 3).</summary>
    ChainOrigMismatch = 14,

    /// <summary>A div PASSporT's <c>div</c> is not a destination of the PASSporT it diverts (RFC 8946 §3, §5.1).</summary>
    ChainDivMismatch = 15,

    /// <summary>A div PASSporT claims to be issued before the PASSporT it diverts.</summary>
    ChainIatOrder = 16,

    /// <summary>A PASSporT in a diversion chain (the nested original of a div-o, or a link of a call) failed its own checks.</summary>
    ChainLinkInvalid = 17,

    /// <summary>The claims break the JWT claim constraints of the signer's certificate (RFC 8226 §8, RFC 9118 §3).</summary>
    ClaimsNotPermitted = 18,
}
