using System.Globalization;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>Zone export: the fewest names for ranges, wildcards that still answer every number, exact escaping.</summary>
public sealed class EnumZoneBuilderTests
{
    private const string Apex = "enum.stir.example.";
    private static readonly Uri CpsA = new("https://cps-a.example.net/v1/");
    private static readonly Uri DirA = new("https://dir-a.example.net/");
    private static readonly Uri CpsB = new("https://cps-b.example.net/");

    private static TelephoneNumber N(string e164) => TelephoneNumber.ParseE164(e164);

    private static TelephoneNumberRange R(string start, long count) => new(TelephoneNumber.ParseCanonical(start), count);

    private static string Domain(string digits) => string.Join('.', digits.Reverse()) + "." + Apex;

    [Fact]
    public void BuildRecords_OneNumber_WritesTwoTerminalRules()
    {
        var builder = new EnumZoneBuilder("enum.stir.example") { Ttl = TimeSpan.FromMinutes(5) };
        builder.Add(N("+12025550123"), CpsA, DirA);

        var lines = builder.BuildRecords().Split('\n').Where(l => l.Length > 0 && l[0] != ';').ToList();

        Assert.Equal(
        [
            @"3.2.1.0.5.5.5.2.0.2.1.enum.stir.example. 300 IN NAPTR 100 10 ""u"" ""E2U+x-stir-cps:https"" ""!^.*$!https://cps-a.example.net/v1/!"" .",
            @"3.2.1.0.5.5.5.2.0.2.1.enum.stir.example. 300 IN NAPTR 100 20 ""u"" ""E2U+x-stir-dir:https"" ""!^.*$!https://dir-a.example.net/!"" .",
        ], lines);
    }

    [Fact]
    public void BuildRecords_DelimiterInUrl_IsEscapedThenDoubledForTheMasterFile()
    {
        var builder = new EnumZoneBuilder(Apex);
        builder.Add(N("+12025550123"), new Uri("https://cps.example.net/a!b/"), null);

        var text = builder.BuildRecords();

        // RFC 6116 §5.1: "\!" in the Regexp field; RFC 6116 §4: each backslash doubled in master-file syntax.
        Assert.Contains(@"""!^.*$!https://cps.example.net/a\\!b/!""", text, StringComparison.Ordinal);
        Assert.Equal("https://cps.example.net/a!b/", new EnumZoneModel(text).Query(Domain("12025550123"))!["x-stir-cps:https"]);
    }

    [Fact]
    public void BuildRecords_WrittenRegexp_IsReadBackByTheProcessor()
    {
        var builder = new EnumZoneBuilder(Apex);
        builder.Add(N("+12025550123"), new Uri("https://cps.example.net/a!b/"), DirA);
        var model = new EnumZoneModel(builder.BuildRecords());
        Assert.Equal(1, model.OwnerCount);

        // The wire form of the regexp is the master-file text with one level of escapes removed.
        var line = builder.BuildRecords().Split('\n').First(l => !l.StartsWith(';') && l.Contains("x-stir-cps", StringComparison.Ordinal));
        var quoted = line[(line.LastIndexOf(" \"", StringComparison.Ordinal) + 2)..line.LastIndexOf('"')];
        var wire = quoted.Replace(@"\\", @"\", StringComparison.Ordinal);
        var set = NaptrProcessor.Process("+12025550123", Domain("12025550123"), [new NaptrRecord(100, 10, "u", "E2U+x-stir-cps:https", wire, ".")]);

        Assert.Equal("https://cps.example.net/a!b/", Assert.Single(set.Rules).Uri);
    }

    [Theory]
    [InlineData("12025550100", 200, new[] { "*.1.0.5.5.5.2.0.2.1", "*.2.0.5.5.5.2.0.2.1" })]
    [InlineData("12025550000", 10000, new[] { "*.5.5.5.2.0.2.1" })]
    [InlineData("12025550105", 20, new[] { "5.0.1.0.5.5.5.2.0.2.1", "6.0.1.0.5.5.5.2.0.2.1", "7.0.1.0.5.5.5.2.0.2.1", "8.0.1.0.5.5.5.2.0.2.1", "9.0.1.0.5.5.5.2.0.2.1", "*.1.1.0.5.5.5.2.0.2.1", "0.2.1.0.5.5.5.2.0.2.1", "1.2.1.0.5.5.5.2.0.2.1", "2.2.1.0.5.5.5.2.0.2.1", "3.2.1.0.5.5.5.2.0.2.1", "4.2.1.0.5.5.5.2.0.2.1" })]
    [InlineData("12025550190", 20, new[] { "*.9.1.0.5.5.5.2.0.2.1", "*.0.2.0.5.5.5.2.0.2.1" })]
    [InlineData("12025550123", 2, new[] { "3.2.1.0.5.5.5.2.0.2.1", "4.2.1.0.5.5.5.2.0.2.1" })]
    [InlineData("99999999990", 100, new[] { "*.9.9.9.9.9.9.9.9.9.9" })] // clamped at the largest 11-digit number
    public void BuildRecords_Range_UsesTheFewestNames(string start, long count, string[] owners)
    {
        var builder = new EnumZoneBuilder(Apex);
        builder.Add(R(start, count), CpsA, null);

        var model = new EnumZoneModel(builder.BuildRecords());

        Assert.Equal(owners.Select(o => o + "." + Apex).Order(StringComparer.Ordinal), model.Owners.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BuildRecords_LongerNumberUnderAWildcard_SplitsTheBlockSoEveryNumberStillResolves()
    {
        // Without the split, 1.5.5.5.2.0.2.1... would exist only as an empty non-terminal above 120255510555, and
        // RFC 4592 would answer NODATA for 12025551055 and NXDOMAIN for 12025551050.
        var builder = new EnumZoneBuilder(Apex);
        builder.Add(R("12025551000", 1000), CpsA, DirA);
        builder.Add(N("+120255510555"), CpsB, null);

        var model = new EnumZoneModel(builder.BuildRecords());

        for (var n = 12025551000L; n < 12025552000L; n++)
        {
            var answer = model.Query(Domain(n.ToString(CultureInfo.InvariantCulture)));
            Assert.True(answer is not null, $"+{n} does not resolve");
            Assert.Equal(CpsA.AbsoluteUri, answer!["x-stir-cps:https"]);
        }

        Assert.Equal(CpsB.AbsoluteUri, model.Query(Domain("120255510555"))!["x-stir-cps:https"]);
        Assert.True(model.OwnerCount < 40);
    }

    [Fact]
    public void BuildRecords_WildcardCaveat_LongerNumbersMatchToo()
    {
        var builder = new EnumZoneBuilder(Apex);
        builder.Add(R("12025550100", 10), CpsA, null);

        var model = new EnumZoneModel(builder.BuildRecords());

        Assert.NotNull(model.Query(Domain("120255501057"))); // a 12-digit number, not in the range: the documented caveat
        Assert.Null(model.Query(Domain("1202555011"))); // numbers outside the prefix do not
        Assert.Null(model.Query(Domain("1202555010"))); // nor the wildcard's own owner
    }

    [Fact]
    public void Build_SameNumberTwiceWithDifferentUrls_Fails()
    {
        var builder = new EnumZoneBuilder(Apex);
        builder.Add(R("12025550100", 100), CpsA, null);
        builder.Add(N("+12025550142"), CpsB, null);

        var e = Assert.Throws<InvalidOperationException>(builder.BuildRecords);

        Assert.Equal("+12025550142 is mapped to different URLs by +12025550142 and 12025550100+100; DNS can answer only one", e.Message);
    }

    [Fact]
    public void Build_OverlappingRangesWithDifferentUrls_Fails()
    {
        var builder = new EnumZoneBuilder(Apex);
        builder.Add(R("12025550100", 100), CpsA, null);
        builder.Add(R("12025550150", 100), CpsB, null);

        var e = Assert.Throws<InvalidOperationException>(builder.BuildRecords);

        Assert.Equal("+1202555015x is mapped to different URLs by 12025550100+100 and 12025550150+100; DNS can answer only one", e.Message);
    }

    [Fact]
    public void Build_OverlapWithTheSameUrls_IsMerged()
    {
        var builder = new EnumZoneBuilder(Apex);
        builder.Add(R("12025550100", 100), CpsA, DirA);
        builder.Add(N("+12025550142"), CpsA, DirA);
        builder.Add(R("12025550100", 100), CpsA, DirA);

        var model = new EnumZoneModel(builder.BuildRecords());

        Assert.All(Enumerable.Range(100, 100), i => Assert.NotNull(model.Query(Domain("120255501" + i.ToString(CultureInfo.InvariantCulture)[1..]))));
    }

    [Fact]
    public void BuildZone_HasSoaAndNsBeforeTheRecords()
    {
        var builder = new EnumZoneBuilder(Apex) { Ttl = TimeSpan.FromSeconds(600) };
        builder.Add(N("+12025550123"), CpsA, null);

        var lines = builder.BuildZone("ns1.example.net", "hostmaster.example.net", 2026112701).Split('\n');

        Assert.Equal("$TTL 600", lines[0]);
        Assert.Equal($"{Apex} 600 IN SOA ns1.example.net. hostmaster.example.net. 2026112701 3600 600 86400 600", lines[1]);
        Assert.Equal($"{Apex} 600 IN NS ns1.example.net.", lines[2]);
    }

    [Theory]
    [InlineData("http://cps.example.net/", "must be https")]
    [InlineData("https://user@cps.example.net/", "userinfo")]
    [InlineData("https://cps.example.net/?x=1", "no query or fragment")]
    public void Add_UnacceptableUrl_IsAProgrammingError(string url, string expected)
    {
        var builder = new EnumZoneBuilder(Apex);

        var e = Assert.Throws<ArgumentException>(() => builder.Add(N("+12025550123"), new Uri(url), null));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_NoUrlOrNotE164_IsAProgrammingError()
    {
        var builder = new EnumZoneBuilder(Apex);

        Assert.Throws<ArgumentException>(() => builder.Add(N("+12025550123"), null, null));
        Assert.Throws<ArgumentException>(() => builder.Add(TelephoneNumber.ParseCanonical("02025550123"), CpsA, null));
        Assert.Throws<ArgumentException>(() => builder.Add(R("*123", 2), CpsA, null));
        Assert.Throws<ArgumentException>(() => new EnumZoneBuilder("bad name!"));
    }

    [Fact]
    public void BuildRecords_SeededRandomMappings_EveryNumberResolvesToItsUrlsAndNothingElseInRangeLength()
    {
        // Property: for random non-overlapping numbers and ranges (of mixed lengths, nested prefixes included), every
        // covered number resolves, under RFC 4592, to the URLs it was mapped to.
        for (var seed = 1; seed <= 40; seed++)
        {
            var random = new Random(seed);
            var builder = new EnumZoneBuilder(Apex);
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            var taken = new HashSet<string>(StringComparer.Ordinal);
            for (var m = 0; m < 12; m++)
            {
                var cps = new Uri($"https://cps-{seed}-{m}.example.net/");
                var length = random.Next(9, 13);
                var start = "1202555" + string.Concat(Enumerable.Range(0, length - 7).Select(_ => random.Next(10).ToString(CultureInfo.InvariantCulture)));
                var count = random.Next(3) == 0 ? 1 : random.Next(2, 400);
                var numbers = Enumerable.Range(0, count)
                    .Select(i => long.Parse(start, CultureInfo.InvariantCulture) + i)
                    .Select(n => n.ToString(CultureInfo.InvariantCulture))
                    .Where(n => n.Length == length)
                    .ToList();
                if (numbers.Any(taken.Contains))
                {
                    continue;
                }

                foreach (var n in numbers)
                {
                    taken.Add(n);
                    expected[n] = cps.AbsoluteUri;
                }

                if (count == 1)
                {
                    builder.Add(N("+" + start), cps, null);
                }
                else
                {
                    builder.Add(R(start, count), cps, null);
                }
            }

            var model = new EnumZoneModel(builder.BuildRecords());
            foreach (var (number, url) in expected)
            {
                var answer = model.Query(Domain(number));
                Assert.True(answer is not null, $"seed {seed}: +{number} does not resolve");
                Assert.Equal(url, answer!["x-stir-cps:https"]);
            }
        }
    }
}
