namespace Stir.Encrypted.Telephony;

/// <summary>
/// A block of numbers as RFC 8226 §9 <c>TelephoneNumberRange</c> describes it: a <see cref="Start"/> and a
/// <see cref="Count"/> of at least 2.
/// </summary>
/// <remarks>
/// RFC 8226 §9 says <c>count</c> "MUST NOT make the number increase in length", yet certificates and the
/// vectors carry ranges that do (<c>start</c> 1202, <c>count</c> 10000000); its formula
/// (<c>TelephoneNumber + count &lt; 10^D</c>) is also one short of its sentence. Such a range still decodes
/// (TNAuthList.GetRangeFindings flags it), and we read every range as numbers of the same length as
/// <see cref="Start"/> only, so a carry never authorizes a longer number (1202 never covers 12020000);
/// spec/protocol.md §2 states this. A start with <c>#</c> or <c>*</c> covers nothing but itself.
/// </remarks>
public sealed class TelephoneNumberRange : IEquatable<TelephoneNumberRange>
{
    /// <summary>RFC 8226 §9: <c>count INTEGER (2..MAX)</c>.</summary>
    public const long MinCount = 2;

    /// <summary>Creates a range of <paramref name="count"/> numbers from <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 2.</exception>
    public TelephoneNumberRange(TelephoneNumber start, long count)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, MinCount);
        Start = start;
        Count = count;
    }

    /// <summary>The first number of the range.</summary>
    public TelephoneNumber Start { get; }

    /// <summary>How many consecutive numbers the range holds (at least 2).</summary>
    public long Count { get; }

    /// <summary>
    /// The last number the range covers under the same-length reading: <c>start + count - 1</c>, or the
    /// largest number of the start's length when the range would carry into more digits. Null when the
    /// start is not numeric.
    /// </summary>
    public TelephoneNumber? Last
    {
        get
        {
            if (!Start.IsNumeric)
            {
                return null;
            }

            var start = long.Parse(Start.Value, System.Globalization.CultureInfo.InvariantCulture);
            var max = MaxOfLength(Start.Value.Length);
            var last = Count - 1 > max - start ? max : start + Count - 1;
            return TelephoneNumber.ParseCanonical(last.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(Start.Value.Length, '0'));
        }
    }

    /// <summary>Whether <paramref name="number"/> lies in the range (same length as the start, numerically within it).</summary>
    public bool Contains(TelephoneNumber number)
    {
        ArgumentNullException.ThrowIfNull(number);
        if (!Start.IsNumeric)
        {
            return number == Start;
        }

        if (!number.IsNumeric || number.Value.Length != Start.Value.Length)
        {
            return false;
        }

        var start = long.Parse(Start.Value, System.Globalization.CultureInfo.InvariantCulture);
        var n = long.Parse(number.Value, System.Globalization.CultureInfo.InvariantCulture);
        return n >= start && n - start < Count;
    }

    /// <summary>Whether every number of <paramref name="other"/> lies in this range (RFC 9060 §4 subset checks).</summary>
    public bool Contains(TelephoneNumberRange other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var last = other.Last;
        return last is not null && Contains(other.Start) && Contains(last);
    }

    /// <inheritdoc/>
    public bool Equals(TelephoneNumberRange? other) => other is not null && Start == other.Start && Count == other.Count;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TelephoneNumberRange);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Start, Count);

    /// <summary><c>start+count</c>, e.g. <c>12025550100+100</c>.</summary>
    public override string ToString() => $"{Start.Value}+{Count}";

    /// <summary>Parses the <c>start+count</c> form of <see cref="ToString"/> (used on command lines and in files).</summary>
    /// <exception cref="TelephoneNumberFormatException">The text is not a range; the message says why.</exception>
    public static TelephoneNumberRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        if (plus <= 0 || plus == text.Length - 1)
        {
            throw new TelephoneNumberFormatException(text, "a range is written start+count, e.g. 12025550100+100");
        }

        var start = TelephoneNumber.ParseCanonical(text[..plus]);
        if (!long.TryParse(text.AsSpan(plus + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count))
        {
            throw new TelephoneNumberFormatException(text, "range count is not a whole number", plus + 1);
        }

        if (count < MinCount)
        {
            throw new TelephoneNumberFormatException(text, $"range count {count} is below {MinCount} (RFC 8226: count INTEGER (2..MAX))", plus + 1);
        }

        return new TelephoneNumberRange(start, count);
    }

    private static long MaxOfLength(int length)
    {
        long max = 0;
        for (var i = 0; i < length; i++)
        {
            max = (max * 10) + 9;
        }

        return max;
    }
}
