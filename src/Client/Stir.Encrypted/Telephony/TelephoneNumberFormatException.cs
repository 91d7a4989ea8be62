namespace Stir.Encrypted.Telephony;

/// <summary>
/// A telephone number, range or service provider code from outside (a CLI argument, a PASSporT claim,
/// a certificate, a DNS answer) is malformed. The message names the input, the rule broken and, where
/// there is one, the position of the offending character.
/// </summary>
public sealed class TelephoneNumberFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="input"/>.</summary>
    /// <param name="input">The text that was being parsed.</param>
    /// <param name="reason">Which rule the text breaks.</param>
    /// <param name="position">The 0-based index of the offending character, or -1 when the whole text is at fault.</param>
    public TelephoneNumberFormatException(string input, string reason, int position = -1)
        : base(Describe(input, reason, position))
    {
        Input = input;
        Reason = reason;
        Position = position;
    }

    /// <summary>The text that was being parsed.</summary>
    public string Input { get; }

    /// <summary>Which rule the text breaks, without the input.</summary>
    public string Reason { get; }

    /// <summary>The 0-based index of the offending character, or -1 when the whole text is at fault.</summary>
    public int Position { get; }

    private static string Describe(string input, string reason, int position)
    {
        var quoted = Quote(input);
        return position < 0
            ? $"{quoted}: {reason}"
            : $"{quoted}: {reason} at position {position + 1} (character {Quote(input[position].ToString())})";
    }

    // Inputs come from outside: show control characters escaped so the message stays one readable line.
    internal static string Quote(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length + 2);
        sb.Append('"');
        foreach (var c in text)
        {
            if (c < 0x20 || c == 0x7F || c == '"' || c == '\\')
            {
                sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", _ => $"\\u{(int)c:x4}" });
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('"').ToString();
    }
}
