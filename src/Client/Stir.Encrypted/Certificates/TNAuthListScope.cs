using System.Globalization;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// What numbers a TNAuthList stands for: coverage of one number (RFC 8226 §9) and whether one list is
/// encompassed by another (RFC 9060 §4, delegation).
/// </summary>
/// <remarks>
/// Rules, stated once:
/// <list type="bullet">
/// <item><c>one</c> covers exactly its number.</item>
/// <item><c>range</c> covers numbers of its start's length from start to start+count-1
/// (<see cref="TelephoneNumberRange.Contains(TelephoneNumber)"/>); RFC 8226 §9 forbids a count that would
/// increase the length, so the excess of such a range covers nothing. A start with <c>*</c> or <c>#</c>
/// covers only itself.</item>
/// <item><c>spc</c> covers a number only when the operator's <see cref="SpcAuthorization"/> lists the number
/// (or a range holding it) for that exact code (ordinal comparison, so <c>558a</c> is not <c>558A</c>).</item>
/// <item>Delegation: a child <c>spc</c> is encompassed only by the same <c>spc</c> in the parent (what an SPC
/// holds is not known to the relying party, so a TN or range parent can never be shown to contain it);
/// a child <c>one</c> or <c>range</c> is encompassed when every number of it is covered by the union of the
/// parent's <c>one</c> and <c>range</c> entries and, through the SPC authorization, the parent's SPCs
/// (RFC 9060 §4.1 lets an SPC-only parent delegate numbers; without an SPC authorization that cannot be
/// shown, so it is rejected).</item>
/// </list>
/// </remarks>
internal static class TNAuthListScope
{
    public static bool Covers(TNAuthList list, TelephoneNumber number, SpcAuthorization? spcAuthorization, out string reason)
    {
        var ones = 0;
        var ranges = 0;
        var spcNotes = new List<string>();
        foreach (var entry in list.Entries)
        {
            switch (entry)
            {
                case TNEntry.One one:
                    if (one.Number == number)
                    {
                        reason = $"covered by TNAuthList entry {one}";
                        return true;
                    }

                    ones++;
                    break;
                case TNEntry.Range range:
                    if (range.Value.Contains(number))
                    {
                        reason = $"covered by TNAuthList entry {range}";
                        return true;
                    }

                    ranges++;
                    break;
                case TNEntry.Spc spc:
                    var held = spcAuthorization?.NumbersOf(spc.Code);
                    if (held is null)
                    {
                        spcNotes.Add($"{spc}: no SPC authorization lists its numbers");
                        break;
                    }

                    foreach (var authorized in held)
                    {
                        if (authorized is TNEntry.One o ? o.Number == number : ((TNEntry.Range)authorized).Value.Contains(number))
                        {
                            reason = $"covered by TNAuthList entry {spc} through the SPC authorization ({authorized})";
                            return true;
                        }
                    }

                    spcNotes.Add($"{spc}: the SPC authorization does not list the number");
                    break;
            }
        }

        var parts = new List<string>();
        if (ones > 0)
        {
            parts.Add(ones == 1 ? "the one number listed is another" : $"none of the {ones} numbers listed is it");
        }

        if (ranges > 0)
        {
            parts.Add(ranges == 1 ? "the range listed does not hold it" : $"none of the {ranges} ranges listed holds it");
        }

        parts.AddRange(spcNotes);
        reason = "not covered by the TNAuthList: " + string.Join("; ", parts);
        return false;
    }

    /// <summary>RFC 9060 §4: is every entry of <paramref name="child"/> within <paramref name="parent"/>?</summary>
    public static bool Encompasses(TNAuthList parent, TNAuthList child, SpcAuthorization? spcAuthorization, out string reason)
    {
        foreach (var entry in child.Entries)
        {
            switch (entry)
            {
                case TNEntry.Spc spc:
                    if (!parent.Entries.Contains(entry))
                    {
                        reason = $"{spc} is not in the issuer's TNAuthList (an SPC is encompassed only by the same SPC)";
                        return false;
                    }

                    break;
                case TNEntry.One one:
                    if (!parent.Covers(one.Number, spcAuthorization, out _))
                    {
                        reason = $"{one} is outside the issuer's TNAuthList ({parent}){SpcHint(parent, spcAuthorization)}";
                        return false;
                    }

                    break;
                case TNEntry.Range range:
                    if (!RangeWithin(parent, range.Value, spcAuthorization))
                    {
                        reason = $"{range} is not wholly inside the issuer's TNAuthList ({parent}){SpcHint(parent, spcAuthorization)}";
                        return false;
                    }

                    break;
            }
        }

        reason = "encompassed by the issuer's TNAuthList";
        return true;
    }

    /// <summary>How many numbers from <paramref name="start"/> to <paramref name="last"/> inclusive (same length, numeric).</summary>
    public static long CountFromStart(TelephoneNumber start, TelephoneNumber last) => Parse(last) - Parse(start) + 1;

    private static string SpcHint(TNAuthList parent, SpcAuthorization? spcAuthorization) =>
        parent.Entries.Any(e => e is TNEntry.Spc) && spcAuthorization is null
            ? "; the issuer's SPCs could hold it only through an SPC authorization, and none is configured"
            : string.Empty;

    private static bool RangeWithin(TNAuthList parent, TelephoneNumberRange range, SpcAuthorization? spcAuthorization)
    {
        if (range.Last is not { } last)
        {
            // A start with '*' or '#' stands only for itself.
            return parent.Covers(range.Start, spcAuthorization, out _);
        }

        var length = range.Start.Value.Length;
        var intervals = new List<(long From, long To)>();
        foreach (var entry in parent.Entries)
        {
            if (entry is TNEntry.Spc spc)
            {
                foreach (var held in spcAuthorization?.NumbersOf(spc.Code) ?? [])
                {
                    AddInterval(intervals, held, length);
                }
            }
            else
            {
                AddInterval(intervals, entry, length);
            }
        }

        // The child's numbers must lie in the union of the parent's: walk the intervals by start, keeping
        // the first child number not yet shown covered; a gap at it ends the walk.
        intervals.Sort();
        var next = Parse(range.Start);
        var to = Parse(last);
        foreach (var (from, until) in intervals)
        {
            if (until < next)
            {
                continue;
            }

            if (from > next)
            {
                return false;
            }

            next = until + 1;
            if (next > to)
            {
                return true;
            }
        }

        return false;
    }

    private static void AddInterval(List<(long From, long To)> intervals, TNEntry entry, int length)
    {
        switch (entry)
        {
            case TNEntry.One one when one.Number.IsNumeric && one.Number.Value.Length == length:
                var n = Parse(one.Number);
                intervals.Add((n, n));
                break;
            case TNEntry.Range range when range.Value.Last is { } last && range.Value.Start.Value.Length == length:
                intervals.Add((Parse(range.Value.Start), Parse(last)));
                break;
        }
    }

    private static long Parse(TelephoneNumber number) => long.Parse(number.Value, NumberStyles.None, CultureInfo.InvariantCulture);
}
