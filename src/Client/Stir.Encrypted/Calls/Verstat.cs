namespace Stir.Encrypted.Calls;

/// <summary>The RFC 8224 §6.2.2 verification status a verification service reports about a call.</summary>
public enum Verstat
{
    /// <summary>No PASSporT could be used: none stored, the CPS unreachable, or the origin is not a telephone number.</summary>
    NoTnValidation,

    /// <summary>A PASSporT for this call verified: the caller is authorised for the presented number.</summary>
    TnValidationPassed,

    /// <summary>A PASSporT for this call was found and failed verification, or was already used by another call.</summary>
    TnValidationFailed,
}
