namespace Stir.Encrypted.Passports;

/// <summary>
/// One rule a PASSporT from outside breaks: where (<see cref="Part"/>, <see cref="Field"/>) and what
/// (<see cref="Message"/>, which names the part, the field, the rule and the offending value).
/// </summary>
public sealed class PassportProblem
{
    internal PassportProblem(PassportPart part, string field, string reason)
    {
        Part = part;
        Field = field;
        Reason = reason;
        Message = Describe(part, field, reason);
    }

    /// <summary>The part of the token at fault.</summary>
    public PassportPart Part { get; }

    /// <summary>
    /// The field at fault as a path inside its part (<c>iat</c>, <c>dest.tn</c>, <c>dest.tn[1]</c>,
    /// <c>x5c[0]</c>), or the empty string when the part as a whole is at fault.
    /// </summary>
    public string Field { get; }

    /// <summary>The rule broken and the values involved, without the part and field.</summary>
    public string Reason { get; }

    /// <summary>The whole description, e.g. <c>claims "iat": the string "1443208345" is not a NumericDate ...</c>.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;

    internal static string PartName(PassportPart part) => part switch
    {
        PassportPart.Token => "token",
        PassportPart.Header => "header",
        PassportPart.Claims => "claims",
        PassportPart.Signature => "signature",
        PassportPart.IdentityHeader => "Identity header",
        _ => part.ToString(),
    };

    private static string Describe(PassportPart part, string field, string reason)
        => field.Length == 0 ? $"{PartName(part)}: {reason}" : $"{PartName(part)} \"{field}\": {reason}";
}
