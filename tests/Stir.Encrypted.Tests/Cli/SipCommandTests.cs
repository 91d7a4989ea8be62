using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;
using static Stir.Encrypted.Tests.Formats.PassportTestKit;
using static Stir.Encrypted.Tests.Formats.SipTestKit;

namespace Stir.Encrypted.Tests.Cli;

/// <summary>
/// `stir sip lift|insert`. Exit codes: 0 complete; 1 malformed INVITE or PASSporT, an Identity header field
/// not lifted, a PASSporT not inserted, nothing to lift, or a number mismatch; 2 usage; 3 file I/O.
/// </summary>
public sealed class SipCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stir-sip-cli-").FullName;
    private readonly Rig _rig = new();

    public void Dispose()
    {
        _rig.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Passport Baseline() => Basic().Sign(_rig.Signer);

    private Passport Shaken() => Basic().WithShaken("B", Guid.Parse("123e4567-e89b-12d3-a456-426655440000")).Sign(_rig.Signer);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Lift_Json_GivesOrigDestAndEveryPassport()
    {
        var baseline = Baseline();
        var shaken = Shaken();
        var file = Write("invite.sip", Invite(Headers("+Identity: " + shaken.ToIdentityHeader(), "+y: " + baseline.ToIdentityHeader(compact: true))));

        var result = await CliRunner.RunAsync("sip", "lift", file, "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.True(json.GetProperty("complete").GetBoolean());
        Assert.Equal("12025550123", json.GetProperty("orig").GetProperty("tn").GetString());
        Assert.Equal("From", json.GetProperty("orig").GetProperty("header").GetString());
        Assert.Equal("12025550199", json.GetProperty("dest").GetProperty("tn").GetString());
        Assert.Equal("Request-URI", json.GetProperty("target").GetProperty("header").GetString());
        var passports = json.GetProperty("passports").EnumerateArray().ToArray();
        Assert.Equal([shaken.Token, baseline.Token], passports.Select(p => p.GetProperty("token").GetString()));
        Assert.Equal(["full", "compact"], passports.Select(p => p.GetProperty("form").GetString()));
        Assert.Equal("shaken", passports[0].GetProperty("ppt").GetString());
        Assert.Equal(10, passports[0].GetProperty("line").GetInt32());
        Assert.Equal("tn 12025550123", passports[1].GetProperty("orig").GetString());
        Assert.Equal(Now, passports[1].GetProperty("iat").GetInt64());
        Assert.Equal(0, json.GetProperty("problems").GetArrayLength());
        Assert.Equal(0, json.GetProperty("mismatches").GetArrayLength());
    }

    [Fact]
    public async Task Lift_Text_PrintsOneLinePerFinding()
    {
        var shaken = Shaken();
        var file = Write("invite.sip", Invite(Headers("From: <sip:+12025550666@example.com;user=phone>;tag=1", "+Identity: " + shaken.ToIdentityHeader(), "+Identity: junk;info=<https://x.example/c>")));

        var result = await CliRunner.RunAsync("sip", "lift", file);

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("orig:   tn 12025550666 (From, line 5)", lines[0]);
        Assert.Equal("dest:   tn 12025550199 (To, line 4)", lines[1]);
        Assert.Equal("target: tn 12025550199 (Request-URI, line 1)", lines[2]);
        Assert.Equal("passport (Identity #1, line 10, full form): ppt shaken, orig tn 12025550123, dest tn 12025550199, iat 1800000000", lines[3]);
        Assert.Equal(shaken.Token, lines[4]);
        Assert.Equal("problem: Identity #2 (line 11): token: expected 3 segments (header.claims.signature) separated by '.', found 1", lines[5]);
        Assert.Equal("mismatch: PASSporT #1: \"orig\" tn 12025550123 is not the caller the request shows: From tn 12025550666 (line 5)", lines[6]);
        Assert.Equal(7, lines.Length);
    }

    [Fact]
    public async Task Lift_NoIdentityHeader_ExitsOne()
    {
        var result = await CliRunner.RunAsync("sip", "lift", Write("invite.sip", Invite()), "-o", "json");

        Assert.Equal(1, result.ExitCode);
        Assert.False(result.Json().GetProperty("complete").GetBoolean());
        Assert.Equal(0, result.Json().GetProperty("identityHeaders").GetInt32());
    }

    [Fact]
    public async Task Lift_MalformedInvite_ExitsOneNamingTheLine()
    {
        var result = await CliRunner.RunAsync("sip", "lift", Write("invite.sip", Invite("CSeq: 1 BYE")), "--output", "json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("the INVITE is malformed: line 7: CSeq method \"BYE\" differs from the request's INVITE (RFC 3261 §8.1.1.5)", result.Json().GetProperty("error").GetProperty("cause").GetString());
    }

    [Fact]
    public async Task Lift_MissingFile_ExitsThree()
    {
        var result = await CliRunner.RunAsync("sip", "lift", Path.Combine(_dir, "absent.sip"));

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("error: cannot read ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InsertThenLift_ThroughTheCli_GivesThePassportsBack()
    {
        var baseline = Baseline();
        var shaken = Shaken();
        var template = Write("template.sip", Invite(Headers(), Sdp));
        var written = Path.Combine(_dir, "new.sip");

        var insert = await CliRunner.RunAsync("sip", "insert", "--invite", template, "--passport", baseline.Token, "--passport", shaken.ToIdentityHeader(), "--out", written, "-o", "json");

        Assert.Equal(0, insert.ExitCode);
        Assert.Equal(written, insert.Json().GetProperty("written").GetString());
        Assert.Equal([baseline.ToIdentityHeader(), shaken.ToIdentityHeader()], insert.Json().GetProperty("identityHeaders").EnumerateArray().Select(e => e.GetString()));
        var lift = await CliRunner.RunAsync("sip", "lift", written, "-o", "json");
        Assert.Equal(0, lift.ExitCode);
        Assert.Equal([baseline.Token, shaken.Token], lift.Json().GetProperty("passports").EnumerateArray().Select(p => p.GetProperty("token").GetString()));
        Assert.Equal(Sdp, System.Text.Encoding.UTF8.GetString(SipInvite.Parse(await File.ReadAllBytesAsync(written)).Body.Span));
    }

    [Fact]
    public async Task Insert_Text_WritesTheInviteToStandardOutput()
    {
        var shaken = Shaken();

        var result = await CliRunner.RunAsync("sip", "insert", "--invite", Write("template.sip", Invite()), "--passport", shaken.Token);

        Assert.Equal(0, result.ExitCode);
        var invite = SipInvite.Parse(result.Stdout);
        Assert.Equal(shaken.ToIdentityHeader(), Assert.Single(invite.IdentityHeaders).Value);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task Insert_X5cOnlyPassport_IsSkippedAndExitsOne()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=x5c only", ecdsa, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var x5cOnly = new PassportBuilder().WithX5c([cert]).WithOrig(Orig).AddDest(Dest).Sign(_rig.Signer);

        var result = await CliRunner.RunAsync("sip", "insert", "--invite", Write("template.sip", Invite()), "--passport", x5cOnly.Token, "-o", "json");

        Assert.Equal(1, result.ExitCode);
        var json = result.Json();
        Assert.False(json.GetProperty("complete").GetBoolean());
        Assert.StartsWith("has x5c but no x5u", json.GetProperty("skipped")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(SipInvite.Parse(json.GetProperty("invite").GetString()!).IdentityHeaders);
    }

    [Theory]
    [InlineData("not-a-passport", "--passport #1: token: expected 3 segments (header.claims.signature) separated by '.', found 1")]
    [InlineData("..AAAA;info=<https://cert.example.net/sp.pem>", "--passport #1: a compact form (\"..signature\") cannot be inserted: the new INVITE's signaling would have to rebuild it (RFC 8816 §5.3 uses the full form)")]
    public async Task Insert_BadPassport_ExitsOneNamingIt(string passport, string cause)
    {
        var result = await CliRunner.RunAsync("sip", "insert", "--invite", Write("template.sip", Invite()), "--passport", passport, "-o", "json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(cause, result.Json().GetProperty("error").GetProperty("cause").GetString());
    }

    [Fact]
    public async Task Insert_WithoutPassport_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("sip", "insert", "--invite", Write("template.sip", Invite()));

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task Insert_UnwritableOut_ExitsThree()
    {
        var result = await CliRunner.RunAsync("sip", "insert", "--invite", Write("template.sip", Invite()), "--passport", Shaken().Token, "--out", Path.Combine(_dir, "no", "such", "dir.sip"));

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("error: --out: cannot write ", result.Stderr, StringComparison.Ordinal);
    }
}
