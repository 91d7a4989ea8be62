namespace Stir.Encrypted.Certificates;

/// <summary>
/// A JWT Claim Constraints extension (RFC 8226 §8) or Enhanced JWT Claim Constraints extension (RFC 9118 §3)
/// is not strict DER of its ASN.1 type. The message names the element and the rule.
/// </summary>
public sealed class JwtClaimConstraintsFormatException : FormatException
{
    internal JwtClaimConstraintsFormatException(string element, string rule, Exception? inner = null)
        : base($"{element}: {rule}", inner)
    {
        Element = element;
        Rule = rule;
    }

    /// <summary>The element at fault, e.g. <c>permittedValues[0].values</c>.</summary>
    public string Element { get; }

    /// <summary>The rule broken.</summary>
    public string Rule { get; }
}
