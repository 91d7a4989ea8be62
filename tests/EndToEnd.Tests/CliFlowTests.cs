using Stir.Encrypted.EndToEnd.Tests.Support;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.EndToEnd.Tests;

/// <summary>
/// The use cases through the `stir` command as real processes against `stir serve`: `stir call` stores for every
/// key holder, `stir verify` with each holder's key verifies, a replay is caught by the next run, a spoof fails,
/// the gateway paths lift from and re-insert into INVITE files, and a CPS that is down gives a clean unverified.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class CliFlowTests(ServeProcess serve) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("stir-e2e-cli-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    [Trait("Claim", "TM-45")]
    public async Task Call_ThenVerify_AsProcesses_PassesForEachKeyHolder_AndTheReplayIsCaughtByTheNextRun()
    {
        var alice = serve.NextCaller();
        var state = Path.Combine(_work, "consumed");

        var call = await Call(alice, ServeProcess.Bob, "--cert", serve.ChainFile("alice-carrier"), "--key", serve.KeyFile("alice-carrier"), "--x5u", serve.X5uOf("alice-carrier"));
        var byCarrier = await Verify(alice, ServeProcess.Bob, serve.BobCarrierKey, "--state", state);
        var byPbx = await Verify(alice, ServeProcess.Bob, serve.BobPbxKey);
        var replay = await Verify(alice, ServeProcess.Bob, serve.BobCarrierKey, "--state", state);

        Assert.True(call.ExitCode == 0, call.ToString());
        var stored = ServeProcess.Json(call);
        Assert.Equal(1, stored.GetProperty("blobs").GetInt32());
        Assert.Equal(["route", "config", "keys", "sign", "index", "seal", "store"], stored.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
        Assert.Contains("2 key holder(s), from the cache, synced now to version ", stored.GetProperty("steps")[2].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(" for 2 holders", stored.GetProperty("steps")[5].GetProperty("detail").GetString(), StringComparison.Ordinal);
        foreach (var verdict in new[] { byCarrier, byPbx })
        {
            Assert.True(verdict.ExitCode == 0, verdict.ToString());
            Assert.Equal("TN-Validation-Passed", ServeProcess.Json(verdict).GetProperty("verstat").GetString());
        }

        Assert.True(replay.ExitCode == 1, replay.ToString());
        var replayed = ServeProcess.Json(replay);
        Assert.Equal("TN-Validation-Failed", replayed.GetProperty("verstat").GetString());
        Assert.True(replayed.GetProperty("suspicious").GetBoolean());
    }

    [Fact]
    [Trait("Claim", "TM-45")]
    public async Task SpoofedCaller_StoredWithAnotherCarriersCertificate_FailsInVerify()
    {
        var alice = serve.NextCaller();

        var call = await Call(alice, ServeProcess.Carol, "--cert", serve.ChainFile("mallory"), "--key", serve.KeyFile("mallory"));
        var verify = await Verify(alice, ServeProcess.Carol, serve.CarolKey);
        var nothing = await Verify(serve.NextCaller(), ServeProcess.Carol, serve.CarolKey);

        Assert.True(call.ExitCode == 0, call.ToString());
        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Equal("TN-Validation-Failed", ServeProcess.Json(verify).GetProperty("verstat").GetString());
        Assert.StartsWith("OrigNotCovered", ServeProcess.Json(verify).GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(nothing.ExitCode == 1, nothing.ToString());
        Assert.Equal("No-TN-Validation", ServeProcess.Json(nothing).GetProperty("verstat").GetString());
    }

    [Fact]
    [Trait("Claim", "TM-45")]
    public async Task GatewayPaths_AsProcesses_LiftFromAnInvite_AndReinsertIntoThePstnInvite()
    {
        var alice = serve.NextCaller();
        var signed = serve.Sign(serve.AliceCarrier, "alice-carrier", b => b.WithOrig(alice).AddDest(ServeProcess.Bob).WithShaken("A", Guid.NewGuid()));
        var sipInvite = Path.Combine(_work, "invite.sip");
        var pstnInvite = Path.Combine(_work, "pstn.sip");
        var outInvite = Path.Combine(_work, "out.sip");
        await File.WriteAllTextAsync(sipInvite, Invites.Text(alice, ServeProcess.Bob, ServeProcess.Bob, signed.ToIdentityHeader()));
        await File.WriteAllTextAsync(pstnInvite, Invites.Text(alice, ServeProcess.Bob, ServeProcess.Bob));

        var call = await Call(null, null, "--identity", sipInvite);
        var verify = await ServeProcess.StirAsync("verify", "--invite", pstnInvite, "--invite-out", outInvite, "--keys", serve.BobPbxKey, "--trust", serve.Root, "--cps", serve.Cps.AbsoluteUri, "--allow-http", "--output", "json");

        Assert.True(call.ExitCode == 0, call.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var header = Assert.Single(ServeProcess.Json(verify).GetProperty("identityHeaders").EnumerateArray()).GetString();
        Assert.Equal(signed.ToIdentityHeader(), header);
        var relifted = Sip.SipGateway.Lift(Sip.SipInvite.Parse(await File.ReadAllBytesAsync(outInvite)), ServeProcess.LoopbackParse);
        Assert.Equal([signed.Token], relifted.Passports.Select(p => p.Token));
    }

    [Fact]
    [Trait("Claim", "TM-46")]
    public async Task CpsDown_VerifyIsNoValidation_InBoundedTime_AndCallSaysWhy()
    {
        var alice = serve.NextCaller();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var verify = await ServeProcess.StirAsync("verify", "--orig", alice.ToE164(), "--dest", ServeProcess.Bob.ToE164(), "--keys", serve.BobCarrierKey, "--trust", serve.Root, "--cps", "http://127.0.0.1:1/", "--output", "json");
        var call = await ServeProcess.StirAsync("call", "--orig", alice.ToE164(), "--dest", ServeProcess.Bob.ToE164(), "--cert", serve.ChainFile("alice-carrier"), "--key", serve.KeyFile("alice-carrier"), "--trust", serve.Root, "--cps", "http://127.0.0.1:1/", "--directory", serve.DirectoryUrl.AbsoluteUri, "--output", "json");

        Assert.Equal(3, verify.ExitCode);
        Assert.Equal("No-TN-Validation", ServeProcess.Json(verify).GetProperty("verstat").GetString());
        Assert.Contains("unreachable", ServeProcess.Json(verify).GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, call.ExitCode);
        Assert.False(ServeProcess.Json(call).GetProperty("stored").GetBoolean());
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task Doctor_AgainstTheServices_IsOkForHealthClockAndTrust_AndFailsForADeadService()
    {
        var healthy = await ServeProcess.StirAsync("doctor", "--cps", serve.Cps.AbsoluteUri, "--directory", serve.DirectoryUrl.AbsoluteUri, "--trust", serve.Root, "--output", "json");
        var dead = await ServeProcess.StirAsync("doctor", "--cps", "http://127.0.0.1:1/");

        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        var checks = ServeProcess.Json(healthy).GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(["health", "clock", "config", "health", "clock", "trust"], checks.Select(c => c.GetProperty("check").GetString()));
        Assert.All(checks, c => Assert.Equal("OK", c.GetProperty("status").GetString()));
        Assert.Equal(1, dead.ExitCode);
        Assert.StartsWith("FAIL health     cps http://127.0.0.1:1/: no answer", dead.Stdout, StringComparison.Ordinal);
        Assert.Contains("(hint: is the cps running?", dead.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_WithoutAnythingToStore_IsUsage_AndBadNumber_IsUsage()
    {
        var nothing = await ServeProcess.StirAsync("call", "--orig", "+12025550123", "--dest", "+13035550100", "--trust", serve.Root, "--cps", serve.Cps.AbsoluteUri, "--directory", serve.DirectoryUrl.AbsoluteUri);
        var bad = await ServeProcess.StirAsync("verify", "--orig", "12", "--dest", "+13035550100", "--keys", serve.BobCarrierKey, "--trust", serve.Root, "--cps", serve.Cps.AbsoluteUri);

        Assert.Equal(2, nothing.ExitCode);
        Assert.StartsWith("error: nothing to store", nothing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error: --orig: ", bad.Stderr, StringComparison.Ordinal);
    }

    private Task<ProcessResult> Call(TelephoneNumber? orig, TelephoneNumber? dest, params string[] more)
    {
        // --sync: the keys come from a copy of the directory brought up to date first (names no number).
        var args = new List<string> { "call", "--trust", serve.Root, "--cps", serve.Cps.AbsoluteUri, "--directory", serve.DirectoryUrl.AbsoluteUri, "--sync", "--allow-http", "--output", "json" };
        if (orig is not null)
        {
            args.AddRange(["--orig", orig.ToE164(), "--dest", dest!.ToE164()]);
        }

        return ServeProcess.StirAsync([.. args, .. more]);
    }

    private Task<ProcessResult> Verify(TelephoneNumber orig, TelephoneNumber dest, string key, params string[] more) =>
        ServeProcess.StirAsync(["verify", "--orig", orig.ToE164(), "--dest", dest.ToE164(), "--keys", key, "--trust", serve.Root, "--cps", serve.Cps.AbsoluteUri, "--allow-http", "--output", "json", .. more]);
}
