using Stir.Encrypted.Certificates;
using Stir.Encrypted.Telephony;
using static Stir.Encrypted.Tests.Formats.CertTestPki;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// Which numbers a TNAuthList covers (RFC 8226 §9), the SPC authorization file that gives SPCs numbers,
/// and RFC 9060 §4 "encompassed" between a parent and a delegate list.
/// </summary>
public sealed class TnAuthCoverageTests
{
    private const string Auth = """
        // operator knowledge: which numbers each SPC holds
        { "spc": { "709J": ["12025550100+100", "12025550999", "+441164960348"], "EMPTY": [] } }
        """;

    [Theory]
    // one: exact match only
    [InlineData("one:12025550123", "12025550123", true)]
    [InlineData("one:12025550123", "12025550124", false)]
    [InlineData("one:12025550123", "120255501230", false)]
    [InlineData("one:*67#", "*67#", true)]
    // range edges: start, last, one before, one after, other lengths
    [InlineData("range:12025550100+100", "12025550100", true)]
    [InlineData("range:12025550100+100", "12025550199", true)]
    [InlineData("range:12025550100+100", "12025550099", false)]
    [InlineData("range:12025550100+100", "12025550200", false)]
    [InlineData("range:12025550100+100", "2025550150", false)]
    [InlineData("range:12025550100+100", "120255501500", false)]
    [InlineData("range:12025550100+2", "12025550101", true)]
    [InlineData("range:12025550100+2", "12025550102", false)]
    // a count that would increase the length covers only the start's length (RFC 8226 §9)
    [InlineData("range:9990+20", "9999", true)]
    [InlineData("range:9990+20", "10000", false)]
    [InlineData("range:0990+20", "1009", true)]
    // a start with * or # covers itself only
    [InlineData("range:*67+5", "*67", true)]
    [InlineData("range:*67+5", "*68", false)]
    // SPC alone covers nothing
    [InlineData("spc:709J", "12025550150", false)]
    public void Covers_WithoutSpcAuthorization(string entry, string number, bool covered)
    {
        Assert.Equal(covered, List(entry).Covers(Tn(number), null, out var reason));
        Assert.StartsWith(covered ? "covered by" : "not covered by", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("709J", "12025550100", true, "through the SPC authorization (range 12025550100+100)")]
    [InlineData("709J", "12025550199", true, "range 12025550100+100")]
    [InlineData("709J", "12025550200", false, "spc '709J': the SPC authorization does not list the number")]
    [InlineData("709J", "12025550999", true, "one 12025550999")]
    [InlineData("709J", "441164960348", true, "one 441164960348")]
    [InlineData("709j", "12025550150", false, "spc '709j': no SPC authorization lists its numbers")]
    [InlineData("EMPTY", "12025550150", false, "the SPC authorization does not list the number")]
    [InlineData("OTHER", "12025550150", false, "spc 'OTHER': no SPC authorization lists its numbers")]
    public void Covers_SpcThroughTheAuthorization(string spc, string number, bool covered, string reason)
    {
        var authorization = SpcAuthorization.Parse(Auth, "auth.json");

        Assert.Equal(covered, List($"spc:{spc}").Covers(Tn(number), authorization, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public void NotCoveredReason_NamesTheCertificateEntriesButNotTheNumber()
    {
        var list = List("one:12025550123", "one:12025550124", "range:12025550100+10", "spc:709J");

        Assert.False(list.Covers(Tn("19995550000"), null, out var reason));

        Assert.Equal("not covered by the TNAuthList: none of the 2 numbers listed is it; the range listed does not hold it; spc '709J': no SPC authorization lists its numbers", reason);
        Assert.DoesNotContain("1999555", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SpcAuthorization_Authorizes_MatchesCovers()
    {
        var authorization = SpcAuthorization.Parse(Auth, "auth.json");

        Assert.True(authorization.Authorizes(new ServiceProviderCode("709J"), Tn("12025550150")));
        Assert.False(authorization.Authorizes(new ServiceProviderCode("709J"), Tn("12025550250")));
        Assert.Equal(["709J", "EMPTY"], authorization.Codes.Select(c => c.Value).Order());
    }

    [Theory]
    [InlineData("[]", "(document): [] : expected an object")]
    [InlineData("{}", "spc: missing")]
    [InlineData("{\"spc\":{}, \"other\":1}", "\"other\": unknown member (the only member is \"spc\")")]
    [InlineData("{\"spc\":[]}", "spc: []: expected an object mapping each SPC")]
    [InlineData("{\"spc\":{\"709J\":\"12025550100\"}}", "spc.\"709J\": \"12025550100\": expected a list")]
    [InlineData("{\"spc\":{\"709J\":[12025550100]}}", "spc.\"709J\"[0]: 12025550100: expected a string")]
    [InlineData("{\"spc\":{\"709J\":[\"12025550100\",\"1202-555\"]}}", "spc.\"709J\"[1]: \"1202-555\": not a canonical number character")]
    [InlineData("{\"spc\":{\"709J\":[\"12025550100+1\"]}}", "spc.\"709J\"[0]: \"12025550100+1\": range count 1 is below 2")]
    [InlineData("{\"spc\":{\"709J\":[\"+0123\"]}}", "spc.\"709J\"[0]: \"+0123\": country code cannot start with 0")]
    [InlineData("{\"spc\":{\"709J\":[],\"709J\":[]}}", "not JSON")]
    [InlineData("{\"spc\":{\"70é\":[]}}", "spc.\"70é\": an SPC is an IA5String: ASCII only")]
    [InlineData("{\"spc\":", "line 1")]
    public void SpcAuthorization_Malformed_NamesFileKeyAndValue(string json, string expected)
    {
        var ex = Assert.Throws<SpcAuthorizationFormatException>(() => SpcAuthorization.Parse(json, "/etc/stir/spc.json"));

        Assert.StartsWith("/etc/stir/spc.json: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected.Replace("[] : ", "[]: ", StringComparison.Ordinal), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpcAuthorization_Load_ReadsAFileAndNamesItInErrors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"spc-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, "{\"spc\":{\"709J\":[\"x\"]}}");

            var ex = Assert.Throws<SpcAuthorizationFormatException>(() => SpcAuthorization.Load(path));

            Assert.Equal(path, ex.SourceName);
            Assert.Equal("spc.\"709J\"[0]", ex.Location);
            Assert.Equal("\"x\"", ex.Value);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    // TN and range subsets
    [InlineData("range:12125551000+1000", "range:12125551500+100", null, true)]
    [InlineData("range:12125551000+1000", "one:12125551824", null, true)]
    [InlineData("range:12125551000+1000", "range:12125551000+1000", null, true)]
    [InlineData("range:12125551000+1000", "range:12125551900+101", null, false)]
    [InlineData("range:12125551000+1000", "range:12125550999+2", null, false)]
    [InlineData("range:12125551000+1000", "one:12125552000", null, false)]
    [InlineData("one:12125551824", "one:12125551824", null, true)]
    [InlineData("one:12125551824", "range:12125551824+2", null, false)]
    // the union of several parent entries encompasses a child range that none holds alone
    [InlineData("range:12125551000+100|range:12125551100+100|one:12125551200", "range:12125551050+151", null, true)]
    [InlineData("range:12125551000+100|range:12125551101+100", "range:12125551050+100", null, false)]
    // SPC: only the same SPC encompasses an SPC
    [InlineData("spc:709J", "spc:709J", null, true)]
    [InlineData("spc:709J", "spc:709j", null, false)]
    [InlineData("range:12025550100+100", "spc:709J", "auth", false)]
    // RFC 9060 §4.1: an SPC parent delegates numbers only through the SPC authorization
    [InlineData("spc:709J", "one:12025550150", null, false)]
    [InlineData("spc:709J", "one:12025550150", "auth", true)]
    [InlineData("spc:709J", "range:12025550150+50", "auth", true)]
    [InlineData("spc:709J", "range:12025550150+51", "auth", false)]
    [InlineData("spc:709J|one:12025550200", "range:12025550150+51", "auth", true)]
    public void Encompasses_FollowsRfc9060(string parent, string child, string? authorization, bool encompassed)
    {
        var spcAuthorization = authorization is null ? null : SpcAuthorization.Parse(Auth, "auth.json");

        Assert.Equal(encompassed, List(parent.Split('|')).Encompasses(List(child.Split('|')), spcAuthorization, out var reason));
        if (!encompassed)
        {
            Assert.Contains(child.Split('|')[0].Replace(":", " ", StringComparison.Ordinal).Replace("spc ", "spc '", StringComparison.Ordinal), reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Encompasses_SpcParentWithoutAuthorization_SaysWhy()
    {
        Assert.False(List("spc:709J").Encompasses(List("one:12025550150"), null, out var reason));

        Assert.Contains("the issuer's SPCs could hold it only through an SPC authorization, and none is configured", reason, StringComparison.Ordinal);
    }
}
