namespace Stir.Encrypted.Tests.Cli;

/// <summary>`stir passport verify` with STIR certificates: trust anchors, a local chain, `--at`.</summary>
public sealed class PassportChainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stir-passport-chain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SignWithPkiCertificate_ThenVerifyWithTrustAndChain_IsValid_AndUncoveredOrigIsInvalid()
    {
        Assert.Equal(0, (await CliRunner.RunAsync("pki", "init", "--dir", _dir)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("pki", "issue", "--dir", _dir, "--name", "carrier", "--range", "12025550100+100")).ExitCode);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var key = Path.Combine(_dir, "carrier.key.pem");
        var chain = Path.Combine(_dir, "carrier.chain.pem");
        var root = Path.Combine(_dir, "root.pem");

        var covered = await SignAsync(key, "+12025550123", now);
        var uncovered = await SignAsync(key, "+12025550999", now);
        var ok = await CliRunner.RunAsync("passport", "verify", covered, "--trust", root, "--chain", chain, "--at", now.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", "json");
        var bad = await CliRunner.RunAsync("passport", "verify", uncovered, "--trust", root, "--chain", chain, "--at", now.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", "json");
        var late = await CliRunner.RunAsync("passport", "verify", covered, "--trust", root, "--chain", chain, "--at", (now + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("OrigNotCovered", bad.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, late.ExitCode);
        Assert.Contains("stale by 3600 s", late.Stdout + late.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WithoutTrustOrKey_IsUsage_WithAHint()
    {
        var result = await CliRunner.RunAsync("passport", "verify", "a.b.c");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--trust", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WithUnreadableTrustFile_IsUsageOrFailure_NamingTheFile()
    {
        var missing = Path.Combine(_dir, "nope.pem");

        var result = await CliRunner.RunAsync("passport", "verify", "a.b.c", "--trust", missing);

        Assert.Contains(result.ExitCode, new[] { 2, 3 });
        Assert.Contains("nope.pem", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> SignAsync(string key, string orig, long iat)
    {
        var result = await CliRunner.RunAsync("passport", "sign", "--key", key, "--x5u", "https://cert.example.net/carrier.pem", "--orig", orig, "--dest", "+13035550100", "--iat", iat.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Trim();
    }
}
