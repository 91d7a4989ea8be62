using System.Security.Cryptography;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Cli;

/// <summary>
/// `stir passport sign|verify`. Exit codes: 0 valid; 1 invalid, including a token that is not a PASSporT
/// (invalid input, with the rule); 2 usage (an option that does not parse, no credential source); 3 I/O.
/// </summary>
public sealed class PassportCommandTests : IDisposable
{
    private const string Iat = "1800000000";

    private readonly string _dir = Directory.CreateTempSubdirectory("stir-passport-cli-").FullName;
    private readonly string _privateKey;
    private readonly string _publicKey;

    public PassportCommandTests()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _privateKey = Path.Combine(_dir, "sp.key");
        _publicKey = Path.Combine(_dir, "sp.pub");
        File.WriteAllText(_privateKey, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(_publicKey, key.ExportSubjectPublicKeyInfoPem());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SignThenVerify_RoundTrip_ExitsZero()
    {
        var token = await SignAsync();

        var result = await CliRunner.RunAsync("passport", "verify", token, "--public-key", _publicKey, "--at", Iat, "--dest", "+1 202 555 0199");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("valid: signed by static public key; iat 1800000000 is 0 s old", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_Json_GivesTokenIdentityHeaderAndDecodedParts()
    {
        var result = await CliRunner.RunAsync(
            "passport", "sign", "--key", _privateKey, "--x5u", "https://cert.example.net/sp.pem", "--orig", "+12025550123",
            "--dest", "+12025550199", "--dest", "sip:bob@example.net", "--attest", "B", "--origid", "123e4567-e89b-12d3-a456-426655440000",
            "--iat", Iat, "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        var token = json.GetProperty("token").GetString()!;
        Assert.Equal($"{token};info=<https://cert.example.net/sp.pem>;alg=ES256;ppt=shaken", json.GetProperty("identityHeader").GetString());
        Assert.Equal(".." + token.Split('.')[2], json.GetProperty("compactForm").GetString());
        Assert.Equal("shaken", json.GetProperty("header").GetProperty("ppt").GetString());
        Assert.Equal("B", json.GetProperty("claims").GetProperty("attest").GetString());
        Assert.Equal("sip:bob@example.net", json.GetProperty("claims").GetProperty("dest").GetProperty("uri")[0].GetString());
        Assert.Equal(1800000000, json.GetProperty("claims").GetProperty("iat").GetInt64());
        Assert.True(json.GetProperty("canonical").GetProperty("claims").GetBoolean());
    }

    [Fact]
    public async Task Verify_IdentityHeaderValue_IsAccepted()
    {
        var sign = await CliRunner.RunAsync("passport", "sign", "--key", _privateKey, "--x5u", "https://cert.example.net/sp.pem", "--orig", "+12025550123", "--dest", "+12025550199", "--iat", Iat, "-o", "json");

        var result = await CliRunner.RunAsync("passport", "verify", sign.Json().GetProperty("identityHeader").GetString()!, "--public-key", _publicKey, "--at", Iat);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Verify_Tampered_ExitsOneWithTheRule()
    {
        var token = await SignAsync();
        var chars = token.ToCharArray();
        var i = token.LastIndexOf('.') + 10;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';

        var result = await CliRunner.RunAsync("passport", "verify", new string(chars), "--public-key", _publicKey, "--at", Iat, "--output", "json");

        Assert.Equal(1, result.ExitCode);
        Assert.False(result.Json().GetProperty("valid").GetBoolean());
        Assert.Equal("SignatureInvalid", result.Json().GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Verify_AtFarInTheFuture_ExitsOneStaleWithTheSeconds()
    {
        var token = await SignAsync();

        var result = await CliRunner.RunAsync("passport", "verify", token, "--public-key", _publicKey, "--at", "1800000071");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("invalid: Stale: \"iat\" 1800000000 is stale by 71 s (limit 60 s)", result.Stdout.TrimEnd());
    }

    [Fact]
    public async Task Verify_FreshnessOption_WidensTheWindow()
    {
        var token = await SignAsync();

        var result = await CliRunner.RunAsync("passport", "verify", token, "--public-key", _publicKey, "--at", "1800000071", "--freshness", "120");

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Verify_WrongDest_ExitsOne()
    {
        var token = await SignAsync();

        var result = await CliRunner.RunAsync("passport", "verify", token, "--public-key", _publicKey, "--at", Iat, "--dest", "+12025550100");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("invalid: DestMismatch:", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-passport")]
    [InlineData("a.b.c")]
    [InlineData("..AAAA")]
    public async Task Verify_TokenThatIsNotAPassport_IsInvalidInput_ExitsOne(string token)
    {
        var result = await CliRunner.RunAsync("passport", "verify", token, "--public-key", _publicKey, "--output", "json");

        Assert.Equal(1, result.ExitCode);
        var json = result.Json();
        Assert.Equal("Malformed", json.GetProperty("rule").GetString());
        Assert.NotEmpty(json.GetProperty("problems").EnumerateArray());
    }

    [Theory]
    [InlineData("passport", "verify", "x.y.z", "--at", "soon")]
    [InlineData("passport", "verify", "x.y.z", "--bogus")]
    [InlineData("passport", "verify", "x.y.z")]
    [InlineData("passport", "verify", "x.y.z", "--public-key", "KEY", "--dest", "sip:bob@example.net")]
    [InlineData("passport", "verify", "x.y.z", "--public-key", "KEY", "--freshness", "0")]
    [InlineData("passport", "sign", "--key", "PRIVATE", "--orig", "+12025550123", "--dest", "+12025550199")]
    [InlineData("passport", "sign", "--key", "PRIVATE", "--x5u", "http://cert.example.net/c", "--orig", "+12025550123", "--dest", "+12025550199")]
    [InlineData("passport", "sign", "--key", "PRIVATE", "--x5u", "https://c.example/c", "--orig", "+1202555012x", "--dest", "+12025550199")]
    [InlineData("passport", "sign", "--key", "PRIVATE", "--x5u", "https://c.example/c", "--orig", "+12025550123", "--dest", "+12025550199", "--ppt", "rph")]
    [InlineData("passport", "sign", "--key", "PRIVATE", "--x5u", "https://c.example/c", "--orig", "+12025550123", "--dest", "+12025550199", "--ppt", "shaken")]
    [InlineData("passport", "sign", "--key", "PRIVATE", "--x5u", "https://c.example/c", "--orig", "+12025550123", "--dest", "+12025550199", "--ppt", "div-o", "--div", "+12025550199")]
    [InlineData("passport", "sign", "--key", "PUBLIC", "--x5u", "https://c.example/c", "--orig", "+12025550123", "--dest", "+12025550199")]
    public async Task BadOptions_ExitTwo(params string[] args)
    {
        var result = await CliRunner.RunAsync(args.Select(a => a switch { "KEY" or "PUBLIC" => _publicKey, "PRIVATE" => _privateKey, _ => a }).ToArray());

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingKeyFile_ExitsThree()
    {
        var result = await CliRunner.RunAsync("passport", "sign", "--key", Path.Combine(_dir, "absent.key"), "--x5u", "https://c.example/c", "--orig", "+12025550123", "--dest", "+12025550199");

        Assert.Equal(3, result.ExitCode);
    }

    [Fact]
    public async Task DivO_SignedFromTheOriginal_VerifiesWithTheNestedOne()
    {
        var original = await SignAsync();
        var sign = await CliRunner.RunAsync(
            "passport", "sign", "--key", _privateKey, "--x5u", "https://cert.example.net/sp.pem", "--orig", "+12025550123",
            "--dest", "+12025550177", "--ppt", "div-o", "--div", "+12025550199", "--opt", original, "--iat", Iat);
        Assert.Equal(0, sign.ExitCode);

        var result = await CliRunner.RunAsync("passport", "verify", sign.Stdout.Trim(), "--public-key", _publicKey, "--at", Iat, "--dest", "+12025550177");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("1 nested original(s) verified", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Dash_ReadsTheTokenFromStandardInput()
    {
        var token = await SignAsync();
        var stir = Path.Combine(AppContext.BaseDirectory, "stir");

        var result = await Peers.RunAsync(stir, ["passport", "verify", "-", "--public-key", _publicKey, "--at", Iat], stdin: token + "\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("valid:", result.Stdout, StringComparison.Ordinal);
    }

    private async Task<string> SignAsync()
    {
        var result = await CliRunner.RunAsync(
            "passport", "sign", "--key", _privateKey, "--x5u", "https://cert.example.net/sp.pem", "--orig", "+12025550123",
            "--dest", "+12025550199", "--iat", Iat);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Trim();
    }
}
