namespace Stir.Encrypted.Cps;

/// <summary>
/// A storer token (spec/protocol.md §8 "Storer authentication") is malformed: the one exception type of this
/// format. The message names the field and the rule, e.g. <c>store token "header.typ": "JWT" is not "stir-cps-store+jwt"</c>.
/// </summary>
internal sealed class StoreTokenFormatException : FormatException
{
    public StoreTokenFormatException(string field, string reason)
        : base($"store token \"{field}\": {reason}")
    {
        Field = field;
        Reason = reason;
    }

    /// <summary><c>token</c>, <c>signature</c>, <c>header</c>, <c>claims</c>, or a member path such as <c>claims.iat</c>.</summary>
    public string Field { get; }

    /// <summary>The rule broken, without the field.</summary>
    public string Reason { get; }
}
