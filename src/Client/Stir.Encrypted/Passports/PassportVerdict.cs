namespace Stir.Encrypted.Passports;

/// <summary>
/// The outcome of verifying one PASSporT: valid, or the <see cref="Rule"/> it failed with a
/// <see cref="Message"/> naming the values involved. Expected failures (stale, bad signature, no
/// authority, malformed token) are verdicts, not exceptions.
/// </summary>
public sealed class PassportVerdict
{
    private PassportVerdict(PassportRule rule, string message, Passport? passport, string? signer, PassportFormatException? formatError)
    {
        Rule = rule;
        Message = message;
        Passport = passport;
        Signer = signer;
        FormatError = formatError;
    }

    /// <summary>True when every check passed.</summary>
    public bool IsValid => Rule == PassportRule.None;

    /// <summary>The rule that failed, or <see cref="PassportRule.None"/>.</summary>
    public PassportRule Rule { get; }

    /// <summary>What was found: for a failure the check and the values (e.g. <c>"iat" 1800000000 is stale by 71 s (limit 60 s)</c>).</summary>
    public string Message { get; }

    /// <summary>The parsed PASSporT, unless it was malformed.</summary>
    public Passport? Passport { get; }

    /// <summary>The signer's description (<see cref="IPassportCredential.Subject"/>), once resolved.</summary>
    public string? Signer { get; }

    /// <summary>For <see cref="PassportRule.Malformed"/>, the parse error with every problem found.</summary>
    public PassportFormatException? FormatError { get; }

    /// <summary><c>valid: ...</c> or <c>Rule: message</c>.</summary>
    public override string ToString() => IsValid ? $"valid: {Message}" : $"{Rule}: {Message}";

    internal static PassportVerdict Valid(Passport passport, string signer, string message)
        => new(PassportRule.None, message, passport, signer, null);

    internal static PassportVerdict Invalid(PassportRule rule, string message, Passport? passport = null, string? signer = null)
        => new(rule, message, passport, signer, null);

    internal static PassportVerdict Malformed(PassportFormatException error)
        => new(PassportRule.Malformed, error.Message, null, null, error);
}
