namespace Stir.Encrypted.KeyRecords;

/// <summary>Why a key record or revocation is not to be used; <see cref="None"/> when it is (spec/protocol.md §10).</summary>
public enum KeyRecordFailure
{
    /// <summary>The entry verified.</summary>
    None,

    /// <summary>The token is not a well-formed key record or revocation (JWS, JSON, claims, x5c DER).</summary>
    Malformed,

    /// <summary>The x5c chain does not validate to a trust anchor now (see <see cref="KeyRecordVerdict.ChainFailure"/>).</summary>
    UntrustedChain,

    /// <summary>The ES256 signature does not verify under the end-entity key.</summary>
    BadSignature,

    /// <summary><c>iat</c> lies further in the future than the allowed clock skew.</summary>
    IssuedInFuture,

    /// <summary><c>nbf</c> is not before <c>exp</c>.</summary>
    BadValidity,

    /// <summary><c>exp</c> has passed.</summary>
    Expired,

    /// <summary><c>nbf</c> lies further in the future than the allowed clock skew (clients only: a directory stores such records).</summary>
    NotYetValid,

    /// <summary><c>exp</c> is after the earliest notAfter of the chain: the record would outlive the authority that signed it.</summary>
    ExceedsCertificate,

    /// <summary><c>exp</c> − <c>nbf</c> is longer than the configured maximum.</summary>
    ValidityTooLong,

    /// <summary>The certificate's TNAuthList does not cover every number of <c>tn</c> and every number of every <c>tnr</c> range.</summary>
    NotCovered,

    /// <summary><c>hpke.suite</c> is not a suite this verifier accepts.</summary>
    UnsupportedSuite,

    /// <summary><c>hpke.pk</c> is not a valid public key of the suite's KEM (wrong length, small-order point, off the curve).</summary>
    BadPublicKey,

    /// <summary>The ledger has seen a higher seq for this (holder, rid): a directory served an older entry.</summary>
    Rollback,

    /// <summary>The ledger has seen a different entry with the same (holder, rid, seq): someone showed two versions.</summary>
    Equivocation,

    /// <summary>The ledger has seen a revocation of this (holder, rid) with a higher seq.</summary>
    Revoked,
}
