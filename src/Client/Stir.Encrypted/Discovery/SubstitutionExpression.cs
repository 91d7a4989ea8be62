using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Stir.Encrypted.Discovery;

/// <summary>
/// The REGEXP field of a NAPTR record (RFC 3403 §4.1), in the grammar of RFC 3402 §3.2:
/// <code>
/// subst-expr   = delim-char ere delim-char repl delim-char *flags
/// delim-char   = "/" / "!" / any octet not in POS-DIGIT or flags
/// repl         = *(string / backref)
/// escapeddelim = "\" delim-char
/// backref      = "\" POS-DIGIT        ; \1 .. \9
/// flags        = "i"
/// </code>
/// RFC 6116 §5.2 adds the ENUM client rules: any delimiter, not only <c>!</c>; the delimiter need not be the
/// last character (the <c>i</c> flag may follow it); and more or fewer than 3 unescaped delimiters means the
/// NAPTR is discarded.
/// </summary>
internal sealed class SubstitutionExpression
{
    /// <summary>
    /// The longest output accepted (RFC 6116 §5.1 asks provisioning to avoid long expansions; §5.2 asks clients
    /// to survive many backrefs). A 255-octet field holds at most 124 backrefs, which for the longest AUS (16
    /// characters) is 1984 characters, so the bound matters only for inputs longer than an AUS.
    /// </summary>
    public const int MaxOutputLength = 2048;

    private readonly Regex _ere;
    private readonly string _repl;

    private SubstitutionExpression(char delimiter, Regex ere, string repl, bool ignoreCase)
    {
        Delimiter = delimiter;
        _ere = ere;
        _repl = repl;
        IgnoreCase = ignoreCase;
    }

    public char Delimiter { get; }

    public bool IgnoreCase { get; }

    /// <summary>Parses the field, or names the rule it breaks.</summary>
    public static bool TryParse(string field, [NotNullWhen(true)] out SubstitutionExpression? expression, [NotNullWhen(false)] out string? error)
    {
        expression = null;
        if (field.Length == 0)
        {
            error = "RFC 6116 §3.2: a terminal rule needs a non-empty Regexp field";
            return false;
        }

        if (field.Length > PosixEre.MaxLength + 2)
        {
            error = $"RFC 1035 §3.3: the Regexp field has {field.Length} characters; a character-string holds at most 255";
            return false;
        }

        var delimiter = field[0];

        // RFC 3402 §3.2: the delimiter is not a POS-DIGIT or a flag. '\' is excluded too: "\\" could then be
        // read both as an escaped delimiter and as a quoted backslash.
        if (delimiter is >= '1' and <= '9' or 'i' or 'I' or '\\')
        {
            error = $"RFC 3402 §3.2: '{delimiter}' cannot be the delimiter (not a digit 1-9, the flag 'i', or '\\')";
            return false;
        }

        // RFC 6116 §5.2: exactly 3 unescaped delimiters; a '\' quotes the character after it.
        Span<int> positions = stackalloc int[3];
        positions[0] = 0;
        var count = 1;
        for (var i = 1; i < field.Length; i++)
        {
            if (field[i] == '\\')
            {
                i++;
                continue;
            }

            if (field[i] == delimiter)
            {
                if (count == 3)
                {
                    error = $"RFC 6116 §5.2: the Regexp field has more than 3 unescaped '{delimiter}' delimiters";
                    return false;
                }

                positions[count++] = i;
            }
        }

        if (count != 3)
        {
            error = $"RFC 6116 §5.2: the Regexp field has {count} unescaped '{delimiter}' delimiter{(count == 1 ? string.Empty : "s")}, not 3";
            return false;
        }

        var ere = field[1..positions[1]];
        var repl = field[(positions[1] + 1)..positions[2]];
        var flags = field[(positions[2] + 1)..];
        var ignoreCase = false;
        foreach (var f in flags)
        {
            if (f is 'i' or 'I')
            {
                // RFC 6116 §5.1: 'i' is meaningless for an AUS of digits, but clients still meet it (§5.2).
                ignoreCase = true;
            }
            else
            {
                error = $"RFC 3402 §3.2: '{f}' after the last delimiter is not a flag (only 'i' is)";
                return false;
            }
        }

        if (!PosixEre.TryCompile(ere, delimiter, ignoreCase, out var regex, out var ereError))
        {
            error = $"RFC 3402 §3.2 ERE: {ereError}";
            return false;
        }

        if (!TryCheckRepl(repl, delimiter, regex.GetGroupNumbers().Length - 1, out error))
        {
            return false;
        }

        expression = new SubstitutionExpression(delimiter, regex, repl, ignoreCase);
        return true;
    }

    /// <summary>
    /// Applies the expression to the AUS. Returns false without an error when the ERE does not match: that
    /// rule is simply not for this number (RFC 3402 §3.2). On a match, the matched part of the AUS is
    /// replaced by the expanded repl, sed-like, as RFC 3402 §3.2 describes. ENUM EREs are anchored, so this is
    /// the whole string.
    /// </summary>
    public bool TryApply(string aus, out string? output, out string? error)
    {
        output = null;
        error = null;
        Match match;
        try
        {
            match = _ere.Match(aus);
        }
        catch (RegexMatchTimeoutException)
        {
            error = $"RFC 6116 §5.2: matching the ERE took longer than {PosixEre.MatchTimeout.TotalMilliseconds} ms";
            return false;
        }

        if (!match.Success)
        {
            return false;
        }

        var sb = new StringBuilder(aus.Length + _repl.Length);
        sb.Append(aus, 0, match.Index);
        for (var i = 0; i < _repl.Length; i++)
        {
            var c = _repl[i];
            if (c == '\\')
            {
                var next = _repl[++i];
                if (next is >= '1' and <= '9')
                {
                    sb.Append(match.Groups[next - '0'].Value);
                }
                else
                {
                    sb.Append(next);
                }
            }
            else
            {
                sb.Append(c);
            }

            if (sb.Length > MaxOutputLength)
            {
                error = $"RFC 6116 §5.1: the rule's output exceeds {MaxOutputLength} characters";
                return false;
            }
        }

        sb.Append(aus, match.Index + match.Length, aus.Length - match.Index - match.Length);
        if (sb.Length > MaxOutputLength)
        {
            error = $"RFC 6116 §5.1: the rule's output exceeds {MaxOutputLength} characters";
            return false;
        }

        output = sb.ToString();
        return true;
    }

    // RFC 3402 §3.2 repl: escaped delimiters and backrefs \1..\9 (which must name a group of the ERE). A quoted
    // backslash "\\" is read as one backslash, as ENUM clients do. Any other escape is undefined and refused.
    private static bool TryCheckRepl(string repl, char delimiter, int groups, [NotNullWhen(false)] out string? error)
    {
        for (var i = 0; i < repl.Length; i++)
        {
            if (repl[i] != '\\')
            {
                continue;
            }

            if (i + 1 == repl.Length)
            {
                error = "RFC 3402 §3.2: the repl ends in a lone '\\'";
                return false;
            }

            var next = repl[++i];
            if (next is >= '1' and <= '9')
            {
                if (next - '0' > groups)
                {
                    error = $"RFC 3402 §3.2: the repl refers to group \\{next} but the ERE has {groups} group{(groups == 1 ? string.Empty : "s")}";
                    return false;
                }
            }
            else if (next != delimiter && next != '\\')
            {
                error = $"RFC 3402 §3.2: '\\{next}' in the repl is neither a backreference \\1-\\9 nor an escaped delimiter";
                return false;
            }
        }

        error = null;
        return true;
    }
}
