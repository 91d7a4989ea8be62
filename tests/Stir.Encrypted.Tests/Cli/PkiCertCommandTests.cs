using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Cli;

/// <summary>`stir pki init/issue/delegate` then `stir cert inspect`: the round trip an operator runs.</summary>
public sealed class PkiCertCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"stir-cli-pki-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task InitIssueInspect_CoveredNumber_ExitsZero()
    {
        await InitAndIssueAsync();

        var result = await CliRunner.RunAsync("cert", "inspect", Path.Combine(_dir, "sp.chain.pem"), "--trust", Path.Combine(_dir, "root.pem"), "--number", "+12025550150");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("tnauthlist:  spc '709J', range 12025550100+100", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("chain:       valid: the end-entity certificate", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("number:      12025550150: COVERED: covered by TNAuthList entry range 12025550100+100", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("atis:        ATIS-1000080: TNAuthList shall contain exactly one entry; ATIS-1000080: entry is not an SPC", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_UncoveredNumber_ExitsOneWithTheReason()
    {
        await InitAndIssueAsync();

        var result = await CliRunner.RunAsync("cert", "inspect", Path.Combine(_dir, "sp.chain.pem"), "--trust", Path.Combine(_dir, "root.pem"), "--number", "+12025550250", "--output", "json");

        Assert.Equal(1, result.ExitCode);
        var json = result.Json();
        Assert.True(json.GetProperty("chain").GetProperty("valid").GetBoolean());
        Assert.False(json.GetProperty("number").GetProperty("covered").GetBoolean());
        Assert.Equal("not covered by the TNAuthList: the range listed does not hold it; spc '709J': no SPC authorization lists its numbers", json.GetProperty("number").GetProperty("reason").GetString());
        Assert.False(json.GetProperty("valid").GetBoolean());
        Assert.Equal("709J", json.GetProperty("tnAuthList").GetProperty("entries")[0].GetProperty("spc").GetString());
        Assert.Equal(100, json.GetProperty("tnAuthList").GetProperty("entries")[1].GetProperty("range").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Inspect_SpcCoveredThroughAnAuthorizationFile_ExitsZero()
    {
        await InitAndIssueAsync();
        var auth = Path.Combine(_dir, "spc.json");
        await File.WriteAllTextAsync(auth, """{"spc":{"709J":["12025550200+100"]}}""");

        var result = await CliRunner.RunAsync("cert", "inspect", Path.Combine(_dir, "sp.chain.pem"), "--trust", Path.Combine(_dir, "root.pem"), "--number", "12025550250", "--spc-auth", auth);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("COVERED: covered by TNAuthList entry spc '709J' through the SPC authorization (range 12025550200+100)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_AtATimeAfterExpiry_ChainIsInvalid()
    {
        await InitAndIssueAsync("--days", "1");
        var later = DateTimeOffset.UtcNow.AddDays(3).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await CliRunner.RunAsync("cert", "inspect", Path.Combine(_dir, "sp.chain.pem"), "--trust", Path.Combine(_dir, "root.pem"), "--at", later);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("chain:       INVALID (Expired): The end-entity certificate", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("expired 2 days", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_WithoutTrust_ReportsTheCertificateOnly()
    {
        await InitAndIssueAsync();

        var result = await CliRunner.RunAsync("cert", "inspect", Path.Combine(_dir, "sp.pem"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("chain:       not checked (pass --trust ANCHORS.pem)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("key:         ECDSA P-256 (256 bits)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DelegateThenIssue_WithinScopeValidates_OutsideIsRefused()
    {
        Assert.Equal(0, (await CliRunner.RunAsync("pki", "init", "--dir", _dir)).ExitCode);
        var delegated = await CliRunner.RunAsync("pki", "delegate", "--dir", _dir, "--name", "enterprise", "--range", "12125551000+1000");
        Assert.Equal(0, delegated.ExitCode);

        var inside = await CliRunner.RunAsync("pki", "issue", "--dir", _dir, "--issuer", "enterprise", "--name", "phone", "--tn", "+12125551824", "--range", "12125551500+100");
        var outside = await CliRunner.RunAsync("pki", "issue", "--dir", _dir, "--issuer", "enterprise", "--name", "rogue", "--tn", "+12125552000");
        var inspect = await CliRunner.RunAsync("cert", "inspect", Path.Combine(_dir, "phone.chain.pem"), "--trust", Path.Combine(_dir, "root.pem"), "--number", "+12125551824");

        Assert.Equal(0, inside.ExitCode);
        Assert.Equal(2, outside.ExitCode);
        Assert.Contains("outside issuer 'enterprise''s scope: one 12125552000 is outside the issuer's TNAuthList (range 12125551000+1000)", outside.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "rogue.pem")));
        Assert.Equal(0, inspect.ExitCode);
        Assert.Contains("(3 certificates)", inspect.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_LibstirshakenSp_TNAuthListDoesNotDecode_ExitsOne()
    {
        var result = await CliRunner.RunAsync("cert", "inspect", VectorFiles.PathOf("certs/libstirshaken/sp.pem"), "--number", "+12025550150");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not decode: TNAuthorizationList: expected SEQUENCE (0x30), got 0x16", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("NOT COVERED: the TNAuthList does not decode: it authorizes no number", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_Rfc9118Figure1_ShowsTheClaimConstraints()
    {
        var result = await CliRunner.RunAsync("cert", "inspect", VectorFiles.PathOf("certs/rfc-and-library-examples/rfc9118-figure1.pem"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("constraints: mustInclude [confidence]; permittedValues confidence in {high, medium}; mustExclude [priority]", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cert", "inspect", "FILE", "--number", "12-02")]
    [InlineData("cert", "inspect", "FILE", "--at", "soon")]
    [InlineData("pki", "issue", "--dir", "DIR", "--name", "x")]
    [InlineData("pki", "issue", "--dir", "DIR", "--name", "x", "--range", "12025550100+1")]
    [InlineData("pki", "issue", "--dir", "DIR", "--name", "../x", "--spc", "709J")]
    [InlineData("pki", "issue", "--dir", "DIR", "--name", "root", "--spc", "709J")]
    [InlineData("pki", "issue", "--dir", "DIR", "--name", "x", "--spc", "709J", "--days", "0")]
    [InlineData("pki", "issue", "--dir", "DIR", "--name", "x", "--spc", "709J", "--days", "4000")]
    [InlineData("pki", "issue", "--dir", "DIR", "--name", "x", "--spc", "709J", "--issuer", "sp")]
    [InlineData("pki", "init", "--dir", "DIR")]
    [InlineData("cert", "inspect")]
    public async Task UsageMistakes_ExitTwo(params string[] args)
    {
        await InitAndIssueAsync();
        var file = Path.Combine(_dir, "sp.pem");

        var result = await CliRunner.RunAsync([.. args.Select(a => a == "FILE" ? file : a == "DIR" ? _dir : a)]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_MissingFile_ExitsThree()
    {
        var result = await CliRunner.RunAsync("cert", "inspect", Path.Combine(_dir, "none.pem"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cannot read", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_NotAPemCertificate_ExitsOne()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "junk.pem");
        await File.WriteAllTextAsync(file, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        var result = await CliRunner.RunAsync("cert", "inspect", file, "-o", "json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("label 'PRIVATE KEY' where only CERTIFICATE is allowed", result.Json().GetProperty("error").GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issue_WithoutInit_ExitsThree()
    {
        var result = await CliRunner.RunAsync("pki", "issue", "--dir", _dir, "--name", "sp", "--spc", "709J");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("run `stir pki init --dir DIR` first", result.Stderr, StringComparison.Ordinal);
    }

    private async Task InitAndIssueAsync(params string[] issueOptions)
    {
        var init = await CliRunner.RunAsync("pki", "init", "--dir", _dir);
        Assert.Equal(0, init.ExitCode);
        var issue = await CliRunner.RunAsync(["pki", "issue", "--dir", _dir, "--name", "sp", "--spc", "709J", "--range", "12025550100+100", .. issueOptions]);
        Assert.True(issue.ExitCode == 0, issue.Stderr);
    }
}
