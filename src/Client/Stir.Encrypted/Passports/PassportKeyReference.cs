namespace Stir.Encrypted.Passports;

/// <summary>How a PASSporT header may name its signer's certificate (a verifier policy).</summary>
public enum PassportKeyReference
{
    /// <summary><c>x5u</c> or <c>x5c</c> (or both): the resolver handles either.</summary>
    Either = 0,

    /// <summary><c>x5u</c> is required, as SHAKEN (ATIS-1000074) and RFC 8224's <c>info</c> parameter expect.</summary>
    X5uRequired = 1,

    /// <summary><c>x5c</c> is required: verification needs no fetch (e.g. out-of-band transports).</summary>
    X5cRequired = 2,
}
