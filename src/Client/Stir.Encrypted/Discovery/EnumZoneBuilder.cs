using System.Globalization;
using System.Text;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Discovery;

/// <summary>
/// Writes the ENUM NAPTR records that point numbers and number ranges at their CPS and credential directory
/// (<c>E2U+x-stir-cps:https</c>, <c>E2U+x-stir-dir:https</c>, spec/enumservices.md). The output is DNS
/// master-file text (RFC 1035 §5) that operators load into their DNS server, either as a whole zone
/// (<see cref="BuildZone"/>) or included into one (<see cref="BuildRecords"/>).
/// </summary>
/// <remarks>
/// <para>
/// A range is covered by the fewest ENUM names. Each aligned block of 10^k numbers (k ≥ 1) becomes one wildcard
/// owner <c>*.&lt;prefix&gt;</c> (RFC 4592), and the numbers that are left over get exact names. A range of
/// 12025550100+200 becomes <c>*.1.0.5.5.5.2.0.2.1</c> and <c>*.2.0.5.5.5.2.0.2.1</c> under the apex.
/// </para>
/// <para>
/// The wildcard caveat: <c>*.P</c> answers every query below P that has no more specific name, not only the
/// numbers of the range. It also answers for longer numbers that start with the block's prefix and, for
/// blocks of 100 or more, for shorter ones. A client may therefore be pointed at a CPS or directory for a
/// number that is not served there. What the directory returns is signed and checked against the number, so
/// this costs a wasted request, never a wrong key. RFC 4592 also lets any existing name below a wildcard
/// block the wildcard for everything under that name. The builder splits a block that has another entry
/// under its prefix into smaller blocks and exact names, so that every number of every range still resolves.
/// </para>
/// <para>
/// A number mapped twice with different URLs (as a number, or inside two ranges) is an error: DNS could
/// answer only one of them.
/// </para>
/// </remarks>
public sealed class EnumZoneBuilder
{
    /// <summary>The ORDER of the records written: the default RFC 6116 §5.1 recommends.</summary>
    private const ushort Order = 100;

    private const ushort CpsPreference = 10;
    private const ushort DirectoryPreference = 20;

    private readonly string _apex;
    private readonly List<Entry> _entries = [];

    /// <summary>Creates a builder for records under <paramref name="apex"/> (e.g. <c>e164.arpa</c>, or a private ENUM tree).</summary>
    /// <exception cref="ArgumentException"><paramref name="apex"/> is not a domain name.</exception>
    public EnumZoneBuilder(string apex)
    {
        ArgumentNullException.ThrowIfNull(apex);
        _apex = DomainName.Normalize(apex);
    }

    /// <summary>The TTL of every record written.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Maps one number to its CPS and/or credential directory base URL.</summary>
    /// <exception cref="ArgumentException">The number is not global E.164, both URLs are null, or a URL is not an https base URL.</exception>
    public void Add(TelephoneNumber number, Uri? cps, Uri? directory)
    {
        ArgumentNullException.ThrowIfNull(number);
        if (!number.IsE164)
        {
            throw new ArgumentException($"{number.Value} is not a global E.164 number, so it has no ENUM domain", nameof(number));
        }

        _entries.Add(new Entry(number.Value, 0, CheckMapping(cps, directory), number.ToE164()));
    }

    /// <summary>Maps every number of a range (same-length reading of <see cref="TelephoneNumberRange"/>) to its CPS and/or directory.</summary>
    /// <exception cref="ArgumentException">The range does not start with a global E.164 number, both URLs are null, or a URL is not an https base URL.</exception>
    public void Add(TelephoneNumberRange range, Uri? cps, Uri? directory)
    {
        ArgumentNullException.ThrowIfNull(range);
        if (!range.Start.IsE164 || range.Last is not { } last)
        {
            throw new ArgumentException($"range {range} does not start with a global E.164 number", nameof(range));
        }

        var mapping = CheckMapping(cps, directory);
        var length = range.Start.Value.Length;
        var lo = long.Parse(range.Start.Value, CultureInfo.InvariantCulture);
        var hi = long.Parse(last.Value, CultureInfo.InvariantCulture);
        while (lo <= hi)
        {
            // The largest aligned block of 10^k starting at lo that stays within the range, keeping at least one
            // digit of prefix (a wildcard right under the apex would claim every country code).
            var k = 0;
            var size = 1L;
            while (k < length - 1 && lo % (size * 10) == 0 && lo + (size * 10) - 1 <= hi)
            {
                k++;
                size *= 10;
            }

            var digits = lo.ToString(CultureInfo.InvariantCulture).PadLeft(length, '0');
            _entries.Add(new Entry(digits[..(length - k)], k, mapping, range.ToString()));
            lo += size;
        }
    }

    /// <summary>The NAPTR records alone, for <c>$INCLUDE</c> into an existing zone of the apex.</summary>
    /// <exception cref="InvalidOperationException">A number is mapped twice with different URLs.</exception>
    public string BuildRecords()
    {
        var sb = new StringBuilder();
        AppendRecords(sb);
        return sb.ToString();
    }

    /// <summary>A complete zone for the apex: SOA, NS, then the NAPTR records.</summary>
    /// <param name="primaryNameServer">The MNAME of the SOA and the target of the NS record.</param>
    /// <param name="hostmaster">The RNAME of the SOA (the mailbox, written as a domain: <c>hostmaster.example.net</c>).</param>
    /// <param name="serial">The SOA serial.</param>
    /// <exception cref="InvalidOperationException">A number is mapped twice with different URLs.</exception>
    public string BuildZone(string primaryNameServer, string hostmaster, uint serial)
    {
        ArgumentNullException.ThrowIfNull(primaryNameServer);
        ArgumentNullException.ThrowIfNull(hostmaster);
        var ns = DomainName.Normalize(primaryNameServer);
        var rname = DomainName.Normalize(hostmaster);
        var ttl = TtlSeconds();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"$TTL {ttl}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{_apex} {ttl} IN SOA {ns} {rname} {serial} 3600 600 86400 {Math.Min(ttl, 3600)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{_apex} {ttl} IN NS {ns}\n");
        AppendRecords(sb);
        return sb.ToString();
    }

    private void AppendRecords(StringBuilder sb)
    {
        var ttl = TtlSeconds();
        sb.Append("; ENUM NAPTR records for Stir.Encrypted discovery: E2U+x-stir-cps:https and E2U+x-stir-dir:https (spec/enumservices.md).\n");
        sb.Append("; An owner starting with \"*.\" is a wildcard for an aligned block of numbers (RFC 4592). It also answers for\n");
        sb.Append("; longer (and, for blocks of 100 or more, shorter) numbers with the same prefix that have no name of their own.\n");
        foreach (var entry in Resolve())
        {
            var owner = OwnerName(entry);
            if (entry.Mapping.Cps is { } cps)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{owner} {ttl} IN NAPTR {Record(CpsPreference, StirEnumservices.Cps, cps)}\n");
            }

            if (entry.Mapping.Directory is { } directory)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{owner} {ttl} IN NAPTR {Record(DirectoryPreference, StirEnumservices.Directory, directory)}\n");
            }
        }
    }

    // A terminal rule (RFC 6116 §3.4.2 flag "u") whose ERE matches any AUS and whose repl is the URL. The URL is
    // escaped for the repl first: RFC 6116 §5.1 escapes the delimiter '!' and a '\' quotes itself. Then
    // NaptrRecord.ToString quotes it for the master file, which doubles the backslashes again (RFC 6116 §4).
    private static NaptrRecord Record(ushort preference, string enumservice, Uri url)
    {
        var repl = url.AbsoluteUri.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("!", "\\!", StringComparison.Ordinal);
        return new NaptrRecord(Order, preference, "u", "E2U+" + enumservice, "!^.*$!" + repl + "!", ".");
    }

    private string OwnerName(Entry entry)
    {
        var sb = new StringBuilder((entry.Prefix.Length * 2) + _apex.Length + 2);
        if (entry.Wildcard > 0)
        {
            sb.Append("*.");
        }

        for (var i = entry.Prefix.Length - 1; i >= 0; i--)
        {
            sb.Append(entry.Prefix[i]).Append('.');
        }

        return sb.Append(_apex).ToString();
    }

    // Turns the entries into owner names that DNS answers as intended. A wildcard block is split into its ten
    // sub-blocks while any other entry lies under its prefix, or while another wildcard shares its owner name.
    // Entries left at the same name must agree.
    private List<Entry> Resolve()
    {
        var byPrefix = new SortedDictionary<string, List<Entry>>(StringComparer.Ordinal);
        foreach (var e in _entries)
        {
            Put(byPrefix, e);
        }

        bool changed;
        do
        {
            changed = false;
            var prefixes = byPrefix.Keys.ToList();
            for (var i = 0; i < prefixes.Count; i++)
            {
                var prefix = prefixes[i];
                var here = byPrefix[prefix].DistinctBy(e => (e.Wildcard, e.Mapping)).ToList();
                byPrefix[prefix] = here;
                var exact = here.Where(e => e.Wildcard == 0).ToList();
                if (exact.Select(e => e.Mapping).Distinct().Count() > 1)
                {
                    throw Conflict(prefix, exact);
                }

                var wildcards = here.Where(e => e.Wildcard > 0).ToList();
                if (wildcards.Count == 0)
                {
                    continue;
                }

                var nested = i + 1 < prefixes.Count && prefixes[i + 1].StartsWith(prefix, StringComparison.Ordinal);
                var sizes = wildcards.Select(e => e.Wildcard).Distinct().Count();
                if (sizes == 1 && wildcards.Select(e => e.Mapping).Distinct().Count() > 1)
                {
                    throw Conflict(prefix + new string('x', wildcards[0].Wildcard), wildcards);
                }

                if (nested || sizes > 1)
                {
                    byPrefix[prefix] = exact;
                    foreach (var w in wildcards)
                    {
                        for (var d = '0'; d <= '9'; d++)
                        {
                            Put(byPrefix, w with { Prefix = prefix + d, Wildcard = w.Wildcard - 1 });
                        }
                    }

                    changed = true;
                }
            }
        }
        while (changed);

        return byPrefix.Values.SelectMany(v => v.OrderBy(e => e.Wildcard)).ToList();
    }

    private static void Put(SortedDictionary<string, List<Entry>> byPrefix, Entry entry)
    {
        if (!byPrefix.TryGetValue(entry.Prefix, out var list))
        {
            byPrefix[entry.Prefix] = list = [];
        }

        list.Add(entry);
    }

    private static InvalidOperationException Conflict(string numbers, List<Entry> entries) =>
        new($"+{numbers} is mapped to different URLs by {string.Join(" and ", entries.Select(e => e.Source).Distinct().Order(StringComparer.Ordinal))}; DNS can answer only one");

    private static Mapping CheckMapping(Uri? cps, Uri? directory)
    {
        if (cps is null && directory is null)
        {
            throw new ArgumentException("give a CPS URL, a directory URL or both");
        }

        return new Mapping(CheckUrl(cps, nameof(cps)), CheckUrl(directory, nameof(directory)));
    }

    private static Uri? CheckUrl(Uri? url, string name)
    {
        if (url is null)
        {
            return null;
        }

        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException($"{url.OriginalString}: the URL is not absolute", name);
        }

        return ServiceUrl.TryParse(url.OriginalString, allowHttpOnLoopback: false, out var parsed, out var error)
            ? parsed
            : throw new ArgumentException($"{url.OriginalString}: {error}", name);
    }

    private long TtlSeconds()
    {
        if (Ttl < TimeSpan.Zero || Ttl.TotalSeconds > int.MaxValue)
        {
            throw new InvalidOperationException($"TTL {Ttl} is outside 0..2^31-1 seconds (RFC 2181 §8)");
        }

        return (long)Ttl.TotalSeconds;
    }

    /// <summary>Numbers <c>Prefix</c> followed by any <c>Wildcard</c> digits (0: exactly the number <c>Prefix</c>).</summary>
    private sealed record Entry(string Prefix, int Wildcard, Mapping Mapping, string Source);

    private sealed record Mapping(Uri? Cps, Uri? Directory);
}
