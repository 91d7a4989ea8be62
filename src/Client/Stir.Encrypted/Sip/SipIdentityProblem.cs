namespace Stir.Encrypted.Sip;

/// <summary>Why one Identity header field (or one PASSporT to insert) was left out, naming it and the rule.</summary>
public sealed class SipIdentityProblem
{
    internal SipIdentityProblem(int index, int line, string message)
    {
        Index = index;
        Line = line;
        Message = message;
    }

    /// <summary>Which one: the 1-based position among the request's Identity header fields (or among the PASSporTs given to insert).</summary>
    public int Index { get; }

    /// <summary>The 1-based line of the Identity header field; 0 for a PASSporT that was never in this request.</summary>
    public int Line { get; }

    /// <summary>The rule broken and the value.</summary>
    public string Message { get; }

    /// <summary><c>Identity #2 (line 9): ...</c>.</summary>
    public override string ToString() => Line > 0 ? $"Identity #{Index} (line {Line}): {Message}" : $"PASSporT #{Index}: {Message}";
}
