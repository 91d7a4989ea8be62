using Stir.Encrypted.EndToEnd.Tests.Support;

namespace Stir.Encrypted.EndToEnd.Tests;

/// <summary>
/// The substitution attack of RFC 8816 §7.4 (a callback-style race) against the real services: it ends with the
/// genuine call flagged rather than silently verified twice. On the shared `stir serve`, whose blobs live the
/// default 20 to 60 s, so that the two verifier processes always run while the blob lives.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class SubstitutionTests(ServeProcess serve)
{
    private readonly ServeProcess _serve = serve;

    [Fact]
    [Trait("Claim", "TM-45")]
    public async Task Substitution_TheRaceWinnerVerifies_AndTheGenuineCallIsFlagged_AcrossVerifierRuns()
    {
        // RFC 8816 §7.4: a callback service stores a PASSporT for its number → Bob and dials; an attacker who presents
        // the same calling number reaches Bob first. Bob's side cannot tell the attacker's call from the genuine one,
        // so the first verifies; consume-once (persisted in a state file, as `stir verify --state` does) makes the
        // genuine call that follows suspicious instead of a second silent pass. spec/threat-model.md TM-10 says what
        // remains possible.
        var callbackService = _serve.NextCaller();
        var state = Path.Combine(_serve.Data, $"bob-{Guid.NewGuid():N}.consumed"); // its own: the fixture is shared
        var stored = await _serve.Placer(_serve.AliceCarrier, "alice-carrier").StoreAsync(callbackService, ServeProcess.Bob, null, CancellationToken.None);

        var attackersCall = await ServeProcess.StirAsync("verify", "--orig", callbackService.ToE164(), "--dest", ServeProcess.Bob.ToE164(),
            "--keys", _serve.BobCarrierKey, "--trust", _serve.Root, "--cps", _serve.Cps.AbsoluteUri, "--allow-http", "--state", state, "--output", "json");
        var genuineCall = await ServeProcess.StirAsync("verify", "--orig", callbackService.ToE164(), "--dest", ServeProcess.Bob.ToE164(),
            "--keys", _serve.BobCarrierKey, "--trust", _serve.Root, "--cps", _serve.Cps.AbsoluteUri, "--allow-http", "--state", state, "--output", "json");

        Assert.True(stored.Stored, stored.Detail);
        Assert.Equal(0, attackersCall.ExitCode);
        Assert.Equal("TN-Validation-Passed", ServeProcess.Json(attackersCall).GetProperty("verstat").GetString());
        Assert.Equal(1, genuineCall.ExitCode);
        var genuine = ServeProcess.Json(genuineCall);
        Assert.Equal("TN-Validation-Failed", genuine.GetProperty("verstat").GetString());
        Assert.True(genuine.GetProperty("suspicious").GetBoolean(), genuineCall.Stdout);
    }
}
