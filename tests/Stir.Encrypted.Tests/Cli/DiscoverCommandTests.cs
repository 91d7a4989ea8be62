using System.Globalization;
using Stir.Encrypted.Tests.Dns;

namespace Stir.Encrypted.Tests.Cli;

/// <summary>`stir discover` against the Knot DNS fixture and the hand-built server.</summary>
[Collection(DnsKnotCollection.Name)]
public sealed class DiscoverCommandTests
{
    private readonly DnsKnotFixture _knot;

    public DiscoverCommandTests(DnsKnotFixture knot)
    {
        _knot = knot;
    }

    private string Server => string.Create(CultureInfo.InvariantCulture, $"{_knot.EndPoint.Address}:{_knot.EndPoint.Port}");

    [Fact]
    public async Task Discover_NumberInTheExportedZone_PrintsBothUrlsAsJson()
    {
        var result = await CliRunner.RunAsync("discover", "+1 202 555 0123", "--dns-server", Server, "--enum-apex", DnsKnotFixture.ExportApex, "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.Equal("+12025550123", json.GetProperty("number").GetString());
        Assert.Equal("3.2.1.0.5.5.5.2.0.2.1." + DnsKnotFixture.ExportApex, json.GetProperty("domain").GetString());
        var cps = json.GetProperty("cps");
        Assert.Equal("dns", cps.GetProperty("source").GetString());
        Assert.Equal(DnsKnotFixture.CpsA.AbsoluteUri, cps.GetProperty("urls")[0].GetProperty("url").GetString());
        Assert.Equal(DnsKnotFixture.DirA.AbsoluteUri, json.GetProperty("directory").GetProperty("urls")[0].GetProperty("url").GetString());
        var query = json.GetProperty("queries")[0];
        Assert.Equal("answered", query.GetProperty("status").GetString());
        Assert.Equal(2, query.GetProperty("records").GetArrayLength());
        Assert.Equal("E2U+x-stir-cps:https", query.GetProperty("records")[0].GetProperty("services").GetString());
    }

    [Fact]
    public async Task Discover_Text_ShowsDomainRecordsChainAndUrls()
    {
        var result = await CliRunner.RunAsync("discover", "+12025550105", "--dns-server", Server);

        // The vector zone's non-terminal rule: no CPS is found, but the chain and records are shown.
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("domain:    5.0.1.0.5.5.5.2.0.2.1.e164.arpa.", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(@"10 10 """" """" """" 5.0.1.0.5.5.5.2.0.2.1.enum.example.net.", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("query:     5.0.1.0.5.5.5.2.0.2.1.enum.example.net. -> 1 NAPTR record", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("nothing found", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_TextWithUrls_ShowsSourceAndChain()
    {
        var result = await CliRunner.RunAsync("discover", "+12025552017", "--dns-server", Server, "--enum-apex", DnsKnotFixture.ExportApex);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"cps:       {DnsKnotFixture.CpsC.AbsoluteUri} (dns, order 100 preference 10, chain 7.1.0.2.5.5.5.2.0.2.1.{DnsKnotFixture.ExportApex})", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"directory: {DnsKnotFixture.DirA.AbsoluteUri}", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_NothingFound_ExitsOne()
    {
        var result = await CliRunner.RunAsync("discover", "+12025552004", "--dns-server", Server, "--enum-apex", DnsKnotFixture.ExportApex, "--output", "json");

        Assert.Equal(1, result.ExitCode);
        var json = result.Json();
        Assert.Equal("none", json.GetProperty("cps").GetProperty("source").GetString());
        Assert.Equal("NXDOMAIN", json.GetProperty("queries")[0].GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Discover_NothingInDnsWithFallback_ExitsZeroAndSaysFallback()
    {
        var result = await CliRunner.RunAsync("discover", "+12025552004", "--dns-server", Server, "--enum-apex", DnsKnotFixture.ExportApex,
            "--fallback-cps", "https://cps.fallback.example/", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var cps = result.Json().GetProperty("cps");
        Assert.Equal("fallback", cps.GetProperty("source").GetString());
        Assert.Equal("https://cps.fallback.example/", cps.GetProperty("urls")[0].GetProperty("url").GetString());
    }

    [Theory]
    [InlineData("2025550123")]
    [InlineData("+1 202 555 01x3")]
    [InlineData("+0123")]
    public async Task Discover_BadNumber_ExitsTwo(string number)
    {
        var result = await CliRunner.RunAsync("discover", number, "--dns-server", Server);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("hint:", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--dns-server", "ns.example.net")]
    [InlineData("--dns-server", "127.0.0.1:99999")]
    [InlineData("--fallback-cps", "http://cps.example.net/")]
    [InlineData("--fallback-dir", "not a url")]
    [InlineData("--enum-apex", "bad apex!")]
    public async Task Discover_BadOption_ExitsTwo(string option, string value)
    {
        var result = await CliRunner.RunAsync("discover", "+12025550123", option, value, "--output", "json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(2, result.Json().GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Discover_AllowHttp_AcceptsALoopbackFallback()
    {
        var result = await CliRunner.RunAsync("discover", "+12025552004", "--dns-server", Server, "--enum-apex", DnsKnotFixture.ExportApex,
            "--allow-http", "--fallback-dir", "http://127.0.0.1:8080/", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("http://127.0.0.1:8080/", result.Json().GetProperty("directory").GetProperty("urls")[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task Discover_DnsFailure_ExitsThree()
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q, DnsMessage.ServFail));

        var result = await CliRunner.RunAsync("discover", "+12025550123", "--dns-server", server.EndPoint.ToString());

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("error: NAPTR lookup of 3.2.1.0.5.5.5.2.0.2.1.e164.arpa. failed: the name server answered SERVFAIL", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_DnsFailureWithFallback_ExitsZeroAndReportsTheFailure()
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q, DnsMessage.ServFail));

        var result = await CliRunner.RunAsync("discover", "+12025550123", "--dns-server", server.EndPoint.ToString(),
            "--fallback-cps", "https://cps.fallback.example/", "--fallback-dir", "https://dir.fallback.example/", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.Equal("fallback", json.GetProperty("cps").GetProperty("source").GetString());
        Assert.Equal("fallback", json.GetProperty("directory").GetProperty("source").GetString());
        Assert.Contains("SERVFAIL", json.GetProperty("dnsError").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", json.GetProperty("queries")[0].GetProperty("status").GetString());
    }
}
