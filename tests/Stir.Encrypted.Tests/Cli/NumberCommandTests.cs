namespace Stir.Encrypted.Tests.Cli;

public sealed class NumberCommandTests
{
    [Fact]
    public async Task Number_Valid_PrintsCanonicalAndEnumDomainAsJson()
    {
        var result = await CliRunner.RunAsync("number", "+1 202 555 0123", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.Equal("12025550123", json.GetProperty("canonical").GetString());
        Assert.Equal("3.2.1.0.5.5.5.2.0.2.1.e164.arpa.", json.GetProperty("enumDomain").GetString());
    }

    [Fact]
    public async Task Number_Malformed_ExitsWithUsageAndNamesThePosition()
    {
        var result = await CliRunner.RunAsync("number", "+1 202 555 01x3");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("position 14", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_ExitsWithUsage()
    {
        var result = await CliRunner.RunAsync("number", "+12025550123", "--bogus");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task UnknownOption_WithJsonOutput_WritesJsonError()
    {
        var result = await CliRunner.RunAsync("number", "--bogus", "--output", "json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(2, result.Json().GetProperty("exitCode").GetInt32());
    }
}
