using System.Diagnostics.CodeAnalysis;

namespace Stir.Encrypted.Telephony;

/// <summary>
/// A telephone number in the canonical form of RFC 8224 §8.3: the string of digits, <c>#</c> and <c>*</c>
/// that PASSporT <c>tn</c> claims (RFC 8225 §5.2.1) and TNAuthList <c>TelephoneNumber</c> values
/// (RFC 8226 §9) carry. A number whose characters are all digits and whose first digit is not 0 is a
/// global E.164 number (<see cref="IsE164"/>); only those have an ENUM domain.
/// </summary>
public sealed class TelephoneNumber : IEquatable<TelephoneNumber>, IComparable<TelephoneNumber>
{
    /// <summary>The most characters a number has: E.164 allows 15 digits; RFC 8226 <c>TelephoneNumber</c> is SIZE (1..15).</summary>
    public const int MaxLength = 15;

    /// <summary>The ENUM apex of RFC 6116 §3.1.</summary>
    public const string DefaultEnumApex = "e164.arpa";

    private TelephoneNumber(string canonical)
    {
        Value = canonical;
        IsE164 = IsAllDigits(canonical) && canonical[0] != '0';
    }

    /// <summary>The canonical string (RFC 8224 §8.3 <c>tn-spec</c>), e.g. <c>12025550123</c>.</summary>
    public string Value { get; }

    /// <summary>True when the number is a global E.164 number: digits only, not starting with 0.</summary>
    public bool IsE164 { get; }

    /// <summary>True when every character is a digit, so that the number can sit inside a numeric range.</summary>
    public bool IsNumeric => IsAllDigits(Value);

    /// <summary>
    /// Parses a global E.164 number as people and systems write it: a leading <c>+</c> (optionally after
    /// <c>tel:</c>), then 1 to 15 digits with visual separators (space, <c>-</c>, <c>.</c>, <c>(</c>, <c>)</c>),
    /// the country code not starting with 0 (RFC 6116 §3.1 step 1; RFC 3966 <c>global-number-digits</c>).
    /// </summary>
    /// <exception cref="TelephoneNumberFormatException">The text is not such a number; the message says why and where.</exception>
    public static TelephoneNumber ParseE164(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseE164(text, out var number, out var error) ? number : throw error;
    }

    /// <summary>Like <see cref="ParseE164(string)"/>, returning false and the reason instead of throwing.</summary>
    public static bool TryParseE164(
        string text,
        [NotNullWhen(true)] out TelephoneNumber? number,
        [NotNullWhen(false)] out TelephoneNumberFormatException? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        number = null;
        var i = 0;
        if (text.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            i = 4;
        }

        if (i >= text.Length || text[i] != '+')
        {
            error = new TelephoneNumberFormatException(text, "not a global E.164 number (missing leading '+')");
            return false;
        }

        Span<char> digits = stackalloc char[MaxLength];
        var count = 0;
        for (i++; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                if (count == MaxLength)
                {
                    error = new TelephoneNumberFormatException(text, $"E.164 numbers have 1..{MaxLength} digits; this one has more", i);
                    return false;
                }

                digits[count++] = c;
            }
            else if (!IsVisualSeparator(c))
            {
                error = new TelephoneNumberFormatException(text, "unexpected character (expected a digit or a visual separator: space - . ( ))", i);
                return false;
            }
        }

        if (count == 0)
        {
            error = new TelephoneNumberFormatException(text, $"E.164 numbers have 1..{MaxLength} digits; this one has none");
            return false;
        }

        if (digits[0] == '0')
        {
            error = new TelephoneNumberFormatException(text, "country code cannot start with 0", text.IndexOf('0', StringComparison.Ordinal));
            return false;
        }

        number = new TelephoneNumber(new string(digits[..count]));
        error = null;
        return true;
    }

    /// <summary>
    /// Parses a number already in canonical form, as found in a PASSporT <c>tn</c> claim or a TNAuthList
    /// <c>TelephoneNumber</c>: 1 to 15 characters from <c>0123456789#*</c>, nothing else (no <c>+</c>, no separators).
    /// </summary>
    /// <exception cref="TelephoneNumberFormatException">The text is not canonical; the message says why and where.</exception>
    public static TelephoneNumber ParseCanonical(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseCanonical(text, out var number, out var error) ? number : throw error;
    }

    /// <summary>Like <see cref="ParseCanonical(string)"/>, returning false and the reason instead of throwing.</summary>
    public static bool TryParseCanonical(
        string text,
        [NotNullWhen(true)] out TelephoneNumber? number,
        [NotNullWhen(false)] out TelephoneNumberFormatException? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        number = null;
        if (text.Length == 0)
        {
            error = new TelephoneNumberFormatException(text, $"a canonical number has 1..{MaxLength} characters from 0123456789#*; this one is empty");
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (!IsCanonicalChar(text[i]))
            {
                var hint = text[i] == '+' ? " ('+' is dropped in the canonical form, RFC 8224 §8.3)" : string.Empty;
                error = new TelephoneNumberFormatException(text, $"not a canonical number character (expected 0123456789#*){hint}", i);
                return false;
            }
        }

        if (text.Length > MaxLength)
        {
            error = new TelephoneNumberFormatException(text, $"a canonical number has 1..{MaxLength} characters; this one has {text.Length}");
            return false;
        }

        number = new TelephoneNumber(text);
        error = null;
        return true;
    }

    /// <summary>The number as an E.164 string with its <c>+</c> (RFC 6116 AUS form), e.g. <c>+12025550123</c>.</summary>
    /// <exception cref="InvalidOperationException">The number is not a global E.164 number.</exception>
    public string ToE164()
    {
        if (!IsE164)
        {
            throw new InvalidOperationException($"{Value} is not a global E.164 number");
        }

        return "+" + Value;
    }

    /// <summary>
    /// The ENUM domain of the number (RFC 6116 §3.2): its digits reversed, dot-separated, under
    /// <paramref name="apex"/>, as a fully qualified name ending in a dot.
    /// </summary>
    /// <exception cref="InvalidOperationException">The number is not a global E.164 number.</exception>
    public string ToEnumDomain(string apex = DefaultEnumApex)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apex);
        if (!IsE164)
        {
            throw new InvalidOperationException($"{Value} is not a global E.164 number and has no ENUM domain");
        }

        var trimmed = apex.Trim().TrimEnd('.');
        var sb = new System.Text.StringBuilder((Value.Length * 2) + trimmed.Length + 1);
        for (var i = Value.Length - 1; i >= 0; i--)
        {
            sb.Append(Value[i]).Append('.');
        }

        return sb.Append(trimmed).Append('.').ToString();
    }

    /// <inheritdoc/>
    public bool Equals(TelephoneNumber? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TelephoneNumber);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>Orders numbers by length, then character by character, so that numeric ranges sort naturally.</summary>
    public int CompareTo(TelephoneNumber? other)
    {
        if (other is null)
        {
            return 1;
        }

        var byLength = Value.Length.CompareTo(other.Value.Length);
        return byLength != 0 ? byLength : string.CompareOrdinal(Value, other.Value);
    }

    /// <summary>The canonical string.</summary>
    public override string ToString() => Value;

    /// <summary>Equality by canonical value.</summary>
    public static bool operator ==(TelephoneNumber? left, TelephoneNumber? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality by canonical value.</summary>
    public static bool operator !=(TelephoneNumber? left, TelephoneNumber? right) => !(left == right);

    /// <summary>Orders by <see cref="CompareTo(TelephoneNumber?)"/>.</summary>
    public static bool operator <(TelephoneNumber left, TelephoneNumber right) => left is null ? right is not null : left.CompareTo(right) < 0;

    /// <summary>Orders by <see cref="CompareTo(TelephoneNumber?)"/>.</summary>
    public static bool operator >(TelephoneNumber left, TelephoneNumber right) => left is not null && left.CompareTo(right) > 0;

    /// <summary>Orders by <see cref="CompareTo(TelephoneNumber?)"/>.</summary>
    public static bool operator <=(TelephoneNumber left, TelephoneNumber right) => left is null || left.CompareTo(right) <= 0;

    /// <summary>Orders by <see cref="CompareTo(TelephoneNumber?)"/>.</summary>
    public static bool operator >=(TelephoneNumber left, TelephoneNumber right) => left is null ? right is null : left.CompareTo(right) >= 0;

    internal static bool IsCanonicalChar(char c) => char.IsAsciiDigit(c) || c == '#' || c == '*';

    // RFC 3966 §3 visual-separator, plus the space people type.
    private static bool IsVisualSeparator(char c) => c is ' ' or '-' or '.' or '(' or ')';

    private static bool IsAllDigits(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return s.Length > 0;
    }
}
