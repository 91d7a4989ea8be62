namespace Stir.Encrypted.Certificates;

/// <summary>
/// Certificate material from outside (a PEM file or chain, an <c>x5c</c> array, a DER certificate, a
/// certification request) is malformed. The message names the item (<c>certificate #2</c>,
/// <c>x5c[1]</c>) and the rule it breaks.
/// </summary>
public sealed class CertificateFormatException : FormatException
{
    internal CertificateFormatException(string item, string rule, Exception? inner = null)
        : base($"{item}: {rule}", inner)
    {
        Item = item;
        Rule = rule;
    }

    /// <summary>Which item is at fault, e.g. <c>certificate #2</c> or <c>x5c[0]</c>.</summary>
    public string Item { get; }

    /// <summary>The rule broken.</summary>
    public string Rule { get; }
}
