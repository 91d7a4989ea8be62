using System.Globalization;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.DirectoryService.Storage;

/// <summary>
/// Where a record is found (spec/protocol.md §10 "Storage"). Numbers: a record is filed under <c>L:P</c> keys,
/// where <c>L</c> is a number length and <c>P</c> a prefix standing for every number of length <c>L</c> that starts
/// with it. A single number is its own key (<c>11:12025550123</c>); a range is cut into the fewest aligned decimal
/// blocks (12025550100+200 becomes <c>11:120255501</c> and <c>11:120255502</c>), at most 18 per digit. Looking up a
/// number of length L reads at most L + 1 keys by <c>_id</c>, whatever the ranges stored. Buckets: a record is
/// filed under the bucket of each of its numbers, or, when its ranges hold more than the configured limit of
/// numbers, under every bucket (it is then served in every bucketed answer; clients check coverage themselves).
/// </summary>
internal static class EntryIndex
{
    /// <summary>The number keys of a record: its numbers and the aligned blocks of its ranges.</summary>
    public static SortedSet<string> NumberKeys(KeyRecord record)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var number in record.Numbers)
        {
            keys.Add(Key(number.Value.Length, number.Value));
        }

        foreach (var range in record.Ranges)
        {
            var length = range.Start.Value.Length;
            var lo = long.Parse(range.Start.Value, NumberStyles.None, CultureInfo.InvariantCulture);
            var hi = long.Parse(range.Last!.Value, NumberStyles.None, CultureInfo.InvariantCulture);
            while (lo <= hi)
            {
                // The largest aligned block of 10^k numbers starting at lo that stays within the range.
                var k = 0;
                var size = 1L;
                while (k < length && lo % (size * 10) == 0 && lo + (size * 10) - 1 <= hi)
                {
                    k++;
                    size *= 10;
                }

                var digits = lo.ToString(CultureInfo.InvariantCulture).PadLeft(length, '0');
                keys.Add(Key(length, digits[..(length - k)]));
                lo += size;
            }
        }

        return keys;
    }

    /// <summary>The keys under which records covering <paramref name="number"/> are filed: the number and each of its prefixes.</summary>
    public static IEnumerable<string> LookupKeys(TelephoneNumber number)
    {
        var value = number.Value;
        yield return Key(value.Length, value);
        if (!number.IsNumeric)
        {
            yield break;
        }

        for (var prefix = value.Length - 1; prefix >= 0; prefix--)
        {
            yield return Key(value.Length, value[..prefix]);
        }
    }

    /// <summary>The buckets of a record, or null when it belongs in every bucket.</summary>
    public static SortedSet<uint>? Buckets(KeyRecord record, int bits, int rangeLimit)
    {
        var total = record.Ranges.Sum(r => r.Count);
        if (total > rangeLimit)
        {
            return null;
        }

        var buckets = new SortedSet<uint>();
        foreach (var number in record.Numbers)
        {
            buckets.Add(KeyRecordBucket.Of(number, bits));
        }

        foreach (var range in record.Ranges)
        {
            var length = range.Start.Value.Length;
            var first = long.Parse(range.Start.Value, NumberStyles.None, CultureInfo.InvariantCulture);
            for (var i = 0L; i < range.Count; i++)
            {
                var text = (first + i).ToString(CultureInfo.InvariantCulture).PadLeft(length, '0');
                buckets.Add(KeyRecordBucket.Of(TelephoneNumber.ParseCanonical(text), bits));
            }
        }

        return buckets;
    }

    private static string Key(int length, string prefix) => length.ToString(CultureInfo.InvariantCulture) + ":" + prefix;
}
