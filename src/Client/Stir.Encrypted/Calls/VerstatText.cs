namespace Stir.Encrypted.Calls;

/// <summary>The <c>verstat</c> parameter values of RFC 8224 §6.2.2.</summary>
public static class VerstatText
{
    /// <summary>The RFC 8224 token for <paramref name="verstat"/>, e.g. <c>TN-Validation-Passed</c>.</summary>
    public static string ToToken(this Verstat verstat) => verstat switch
    {
        Verstat.TnValidationPassed => "TN-Validation-Passed",
        Verstat.TnValidationFailed => "TN-Validation-Failed",
        Verstat.NoTnValidation => "No-TN-Validation",
        _ => throw new ArgumentOutOfRangeException(nameof(verstat), verstat, null),
    };
}
