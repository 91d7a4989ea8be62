namespace Stir.Encrypted.Certificates;

/// <summary>
/// A TNAuthList (RFC 8226 §9) from a certificate or a file is not the strict DER encoding of a
/// <c>TNAuthorizationList</c>. The message names the element (<c>TNAuthorizationList</c>,
/// <c>TNEntry #2 range.count</c>, ...), the rule it breaks and the byte offset where it breaks it.
/// </summary>
public sealed class TNAuthListFormatException : FormatException
{
    internal TNAuthListFormatException(string element, string rule, int offset)
        : base($"{element}: {rule} (at byte {offset})")
    {
        Element = element;
        Rule = rule;
        Offset = offset;
    }

    /// <summary>The ASN.1 element at fault, e.g. <c>TNEntry #1 spc</c>.</summary>
    public string Element { get; }

    /// <summary>The rule the element breaks, e.g. <c>non-ASCII byte 0xca in IA5String</c>.</summary>
    public string Rule { get; }

    /// <summary>The offset in the encoding of the element at fault.</summary>
    public int Offset { get; }
}
