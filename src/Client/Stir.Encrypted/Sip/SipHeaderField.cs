namespace Stir.Encrypted.Sip;

/// <summary>One header field of a SIP message: its name, its value with folding undone, and where it starts.</summary>
public sealed class SipHeaderField
{
    internal SipHeaderField(string name, string value, int line, IReadOnlyList<string> rawLines)
    {
        Name = name;
        Value = value;
        Line = line;
        RawLines = rawLines;
    }

    /// <summary>
    /// The name: the full form for a compact one (<c>f</c> is <c>From</c>), known names in their usual
    /// spelling whatever the case received (RFC 3261 §7.3.1), any other name as written.
    /// </summary>
    public string Name { get; }

    /// <summary>The value, without leading and trailing whitespace, each fold (CRLF and whitespace) replaced by one space (RFC 3261 §7.3.1).</summary>
    public string Value { get; }

    /// <summary>The 1-based line the field starts on.</summary>
    public int Line { get; }

    /// <summary>The physical lines as received (without line ends), so that a rewritten message keeps every other field intact.</summary>
    internal IReadOnlyList<string> RawLines { get; }

    /// <summary><c>Name: Value</c>.</summary>
    public override string ToString() => $"{Name}: {Value}";
}
