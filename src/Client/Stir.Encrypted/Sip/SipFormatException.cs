namespace Stir.Encrypted.Sip;

/// <summary>
/// A SIP message from outside is malformed or breaks a size cap: the one exception type of the SIP format.
/// The message names the line (1-based, counted in the message as received; 0 when the message as a whole
/// is at fault), the header field where there is one, the rule and the offending value.
/// </summary>
public sealed class SipFormatException : FormatException
{
    internal SipFormatException(int line, string reason)
        : base(line > 0 ? $"line {line}: {reason}" : reason)
    {
        Line = line;
        Reason = reason;
    }

    /// <summary>The 1-based line the problem is on, or 0 when the message as a whole is at fault.</summary>
    public int Line { get; }

    /// <summary>The rule broken and the value, without the line number.</summary>
    public string Reason { get; }
}
