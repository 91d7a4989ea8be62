using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Stir.Encrypted.Discovery;

/// <summary>
/// POSIX Extended Regular Expressions (IEEE Std 1003.1-2017 §9.4), the ERE sub-field of an ENUM
/// substitution expression (RFC 3402 §3.2), translated into a .NET regex that runs on the
/// <see cref="RegexOptions.NonBacktracking"/> engine: matching is linear in the input, so a hostile pattern
/// from DNS cannot make a lookup hang. The translation accepts ERE only. Anything that .NET would read
/// differently (<c>\d</c>, <c>(?=</c>, <c>*?</c>, backslashes inside brackets) is rejected with the construct
/// named, rather than silently given a different meaning.
/// </summary>
/// <remarks>
/// Matching differs from POSIX in one way: POSIX picks the leftmost-longest match and .NET picks the
/// leftmost match in backtracking priority order. ENUM EREs are anchored (<c>^…$</c>), so the whole match is
/// the same. Only the split between ambiguous groups (<c>^(.*)(.*)$</c>) can differ, and RFC 6116 §5.1 asks
/// provisioning not to depend on that.
/// </remarks>
internal static class PosixEre
{
    /// <summary>A NAPTR REGEXP is one &lt;character-string&gt; (RFC 1035 §3.3), so it is at most 255 octets.</summary>
    public const int MaxLength = 255;

    /// <summary>The largest interval bound, RE_DUP_MAX (POSIX requires at least _POSIX2_RE_DUP_MAX = 255).</summary>
    public const int MaxRepetition = 255;

    /// <summary>
    /// A cap on the pattern's size once repetitions are multiplied out (<c>(a{255}){255}</c> is 65,025).
    /// Real ENUM patterns are far smaller. The cap keeps the work of building the automaton bounded.
    /// </summary>
    public const int MaxExpandedSize = 1024;

    /// <summary>A bound on one match. The engine is linear, so this guards only against the unforeseen.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    private const string PosixClassPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>
    /// Translates and compiles <paramref name="ere"/>. <paramref name="delimiter"/> is the substitution
    /// expression's delimiter: <c>\</c> followed by it stands for the delimiter itself (RFC 3402 §3.2
    /// escaped-delim). <paramref name="ignoreCase"/> is the <c>i</c> flag.
    /// </summary>
    public static bool TryCompile(string ere, char delimiter, bool ignoreCase, [NotNullWhen(true)] out Regex? regex, [NotNullWhen(false)] out string? error)
    {
        regex = null;
        if (!TryTranslate(ere, delimiter, out var pattern, out error))
        {
            return false;
        }

        var options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.Singleline;
        if (ignoreCase)
        {
            options |= RegexOptions.IgnoreCase;
        }

        try
        {
            regex = new Regex(pattern, options, MatchTimeout);
            return true;
        }
        catch (ArgumentException e)
        {
            error = $"the ERE could not be compiled ({e.Message})";
            return false;
        }
        catch (NotSupportedException e)
        {
            // NonBacktracking refuses patterns whose automaton would be too large.
            error = $"the ERE is too complex to match in linear time ({e.Message})";
            return false;
        }
    }

    /// <summary>The .NET pattern for <paramref name="ere"/>, or the first construct that is not POSIX ERE.</summary>
    public static bool TryTranslate(string ere, char delimiter, [NotNullWhen(true)] out string? pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        if (ere.Length == 0)
        {
            error = "the ERE is empty";
            return false;
        }

        if (ere.Length > MaxLength)
        {
            error = $"the ERE has {ere.Length} characters (limit {MaxLength})";
            return false;
        }

        var sb = new StringBuilder(ere.Length * 2);
        var frames = new Stack<Frame>();
        var frame = new Frame();
        var lastWasRepetition = false;
        var i = 0;
        while (i < ere.Length)
        {
            var c = ere[i];
            var at = i + 1;
            switch (c)
            {
                case '\\':
                    if (i + 1 == ere.Length)
                    {
                        error = $"a '\\' at position {at} ends the ERE and quotes nothing";
                        return false;
                    }

                    var quoted = ere[i + 1];
                    if (quoted != delimiter && char.IsAsciiLetterOrDigit(quoted))
                    {
                        // POSIX leaves '\' before an ordinary character undefined; .NET reads \d, \w, \b, \1 ... as
                        // classes, anchors and backreferences. Refuse rather than guess.
                        error = $"'\\{quoted}' at position {at} is not POSIX ERE (a backslash only quotes a special character)";
                        return false;
                    }

                    AppendLiteral(sb, quoted);
                    frame.Atom(1);
                    lastWasRepetition = false;
                    i += 2;
                    continue;

                case '.':
                    sb.Append('.');
                    frame.Atom(1);
                    lastWasRepetition = false;
                    break;

                case '[':
                    if (!TryTranslateBracket(ere, ref i, delimiter, sb, out error))
                    {
                        return false;
                    }

                    frame.Atom(1);
                    lastWasRepetition = false;
                    continue;

                case '(':
                    if (frames.Count >= 32)
                    {
                        error = $"groups nest deeper than 32 at position {at}";
                        return false;
                    }

                    frames.Push(frame);
                    frame = new Frame();
                    sb.Append('(');
                    lastWasRepetition = false;
                    break;

                case ')':
                    if (frames.Count == 0)
                    {
                        error = $"')' at position {at} closes no group";
                        return false;
                    }

                    var inner = Math.Max(1, frame.Size);
                    frame = frames.Pop();
                    frame.Atom(inner);
                    sb.Append(')');
                    lastWasRepetition = false;
                    break;

                case '|':
                    sb.Append('|');
                    frame.NoAtom();
                    lastWasRepetition = false;
                    break;

                case '^':
                    sb.Append('^');
                    frame.NoAtom();
                    lastWasRepetition = false;
                    break;

                case '$':
                    // .NET '$' also matches before a final newline; POSIX '$' is the end of the string only.
                    sb.Append(@"\z");
                    frame.NoAtom();
                    lastWasRepetition = false;
                    break;

                case '*' or '+' or '?':
                    if (!CanRepeat(frame, lastWasRepetition, c, at, ere, out error))
                    {
                        return false;
                    }

                    sb.Append(c);
                    frame.Repeat(c == '+' ? 2 : 1);
                    lastWasRepetition = true;
                    break;

                case '{':
                    if (!CanRepeat(frame, lastWasRepetition, c, at, ere, out error))
                    {
                        return false;
                    }

                    if (!TryReadInterval(ere, ref i, out var min, out var max, out error))
                    {
                        return false;
                    }

                    sb.Append('{').Append(min.ToString(CultureInfo.InvariantCulture));
                    if (max != min)
                    {
                        sb.Append(',');
                        if (max >= 0)
                        {
                            sb.Append(max.ToString(CultureInfo.InvariantCulture));
                        }
                    }

                    sb.Append('}');
                    frame.Repeat(max >= 0 ? Math.Max(1, max) : min + 1);
                    lastWasRepetition = true;
                    continue;

                default:
                    AppendLiteral(sb, c);
                    frame.Atom(1);
                    lastWasRepetition = false;
                    break;
            }

            if (frame.Size > MaxExpandedSize)
            {
                error = $"the ERE expands to more than {MaxExpandedSize} positions once repetitions are multiplied out (at position {at})";
                return false;
            }

            i++;
        }

        if (frames.Count > 0)
        {
            error = $"{frames.Count} '(' not closed";
            return false;
        }

        if (frame.Size > MaxExpandedSize)
        {
            error = $"the ERE expands to more than {MaxExpandedSize} positions once repetitions are multiplied out";
            return false;
        }

        pattern = sb.ToString();
        error = null;
        return true;
    }

    private static bool CanRepeat(Frame frame, bool lastWasRepetition, char c, int at, string ere, [NotNullWhen(false)] out string? error)
    {
        if (lastWasRepetition)
        {
            // POSIX leaves stacked repetitions undefined; .NET reads "*?" as lazy and "{2}{3}" as an error.
            error = $"'{ere[at - 2]}{c}' at position {at - 1}: two repetition operators in a row are not POSIX ERE";
            return false;
        }

        if (!frame.HasAtom)
        {
            error = $"'{c}' at position {at} has nothing to repeat";
            return false;
        }

        error = null;
        return true;
    }

    // POSIX §9.3.6 interval: {m}, {m,}, {m,n} with m <= n <= RE_DUP_MAX. i points at '{' and ends past '}'.
    private static bool TryReadInterval(string ere, ref int i, out int min, out int max, [NotNullWhen(false)] out string? error)
    {
        var start = i;
        min = ReadNumber(ere, ref i, start + 1);
        max = -1;
        if (min < 0)
        {
            error = $"'{{' at position {start + 1} does not start an interval {{m}}, {{m,}} or {{m,n}}";
            return false;
        }

        if (i < ere.Length && ere[i] == ',')
        {
            i++;
            if (i < ere.Length && char.IsAsciiDigit(ere[i]))
            {
                max = ReadNumber(ere, ref i, i);
            }
        }
        else
        {
            max = min;
        }

        if (i >= ere.Length || ere[i] != '}')
        {
            error = $"the interval at position {start + 1} is not closed by '}}'";
            return false;
        }

        i++;
        if (min > MaxRepetition || max > MaxRepetition)
        {
            error = $"the interval at position {start + 1} exceeds RE_DUP_MAX ({MaxRepetition})";
            return false;
        }

        if (max >= 0 && max < min)
        {
            error = $"the interval at position {start + 1} has its maximum {max} below its minimum {min}";
            return false;
        }

        error = null;
        return true;
    }

    private static int ReadNumber(string ere, ref int i, int from)
    {
        i = from;
        var value = 0;
        var digits = 0;
        while (i < ere.Length && char.IsAsciiDigit(ere[i]))
        {
            value = Math.Min((value * 10) + (ere[i] - '0'), 100_000);
            digits++;
            i++;
        }

        return digits == 0 ? -1 : value;
    }

    // POSIX §9.3.5 bracket expression. Inside brackets a backslash is an ordinary character in POSIX but an
    // escape in .NET, so every member is re-emitted as \uXXXX. i points at '[' and ends past ']'.
    private static bool TryTranslateBracket(string ere, ref int i, char delimiter, StringBuilder sb, [NotNullWhen(false)] out string? error)
    {
        var open = i;
        i++;
        var negate = i < ere.Length && ere[i] == '^';
        if (negate)
        {
            i++;
        }

        var members = new StringBuilder();
        var first = true;
        while (true)
        {
            if (i >= ere.Length)
            {
                error = $"the bracket expression at position {open + 1} is not closed by ']'";
                return false;
            }

            var c = ere[i];
            if (c == ']' && !first)
            {
                i++;
                break;
            }

            first = false;
            if (c == '[' && i + 1 < ere.Length && ere[i + 1] is ':' or '=' or '.')
            {
                var kind = ere[i + 1];
                var close = ere.IndexOf(kind + "]", i + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    error = $"'[{kind}' at position {i + 1} is not closed by '{kind}]'";
                    return false;
                }

                var name = ere[(i + 2)..close];
                if (kind != ':')
                {
                    error = $"'[{kind}{name}{kind}]' at position {i + 1}: collating symbols and equivalence classes are not supported";
                    return false;
                }

                var members2 = PosixClass(name);
                if (members2 is null)
                {
                    error = $"'[:{name}:]' at position {i + 1} is not a POSIX character class";
                    return false;
                }

                members.Append(members2);
                i = close + 2;
                continue;
            }

            var lowAt = i + 1;
            var low = c;
            var width = 1;
            if (c == '\\' && i + 1 < ere.Length && ere[i + 1] == delimiter)
            {
                // RFC 3402 §3.2: the delimiter is escaped wherever it appears in the expression.
                low = delimiter;
                width = 2;
            }

            i += width;
            if (i + 1 < ere.Length && ere[i] == '-' && ere[i + 1] != ']')
            {
                var high = ere[i + 1];
                var highWidth = 1;
                if (high == '[')
                {
                    error = $"a range at position {i + 1} ends in '[', which POSIX leaves undefined";
                    return false;
                }

                if (high == '\\' && i + 2 < ere.Length && ere[i + 2] == delimiter)
                {
                    high = delimiter;
                    highWidth = 2;
                }

                if (high < low)
                {
                    error = $"the range '{low}-{high}' at position {lowAt} is reversed";
                    return false;
                }

                members.Append(Hex(low)).Append('-').Append(Hex(high));
                i += 1 + highWidth;
                continue;
            }

            members.Append(Hex(low));
        }

        sb.Append('[');
        if (negate)
        {
            sb.Append('^');
        }

        sb.Append(members).Append(']');
        error = null;
        return true;
    }

    // POSIX §7.3.1 LC_CTYPE classes of the POSIX locale (ASCII), as .NET class members.
    private static string? PosixClass(string name) => name switch
    {
        "alnum" => "a-zA-Z0-9",
        "alpha" => "a-zA-Z",
        "blank" => @"\u0020\u0009",
        "cntrl" => @"\u0000-\u001F\u007F",
        "digit" => "0-9",
        "graph" => @"\u0021-\u007E",
        "lower" => "a-z",
        "print" => @"\u0020-\u007E",
        "punct" => string.Concat(PosixClassPunct.Select(Hex)),
        "space" => @"\u0020\u0009-\u000D",
        "upper" => "A-Z",
        "xdigit" => "0-9A-Fa-f",
        _ => null,
    };

    private static string Hex(char c) => $@"\u{(int)c:X4}";

    private static void AppendLiteral(StringBuilder sb, char c)
    {
        if (char.IsAsciiLetterOrDigit(c))
        {
            sb.Append(c);
        }
        else
        {
            sb.Append(Hex(c));
        }
    }

    /// <summary>Size bookkeeping for one nesting level: what the level holds and what a repetition applies to.</summary>
    private sealed class Frame
    {
        private int _lastAtom = -1;

        public int Size { get; private set; }

        public bool HasAtom => _lastAtom >= 0;

        public void Atom(int size)
        {
            Size = (int)Math.Min((long)Size + size, int.MaxValue / 2);
            _lastAtom = size;
        }

        public void NoAtom() => _lastAtom = -1;

        public void Repeat(int times)
        {
            var extra = (long)_lastAtom * (times - 1);
            Size = (int)Math.Min(Size + extra, int.MaxValue / 2);
            _lastAtom = (int)Math.Min((long)_lastAtom * times, int.MaxValue / 2);
        }
    }
}
