using Stir.Encrypted.Calls;
using Stir.Encrypted.EndToEnd.Tests.Support;

namespace Stir.Encrypted.EndToEnd.Tests;

/// <summary>
/// A case of issue 5 that needs time against the real services: a call placed after its blob's lifetime ended finds
/// nothing (the CPS deleted it, RFC 8816 §6.2). The substitution race is in <see cref="SubstitutionTests"/>, on the
/// shared `stir serve` with the default lifetimes: two `stir verify` processes one after the other can take longer
/// than this class's 6-second blobs live on a busy machine, and the second would then find nothing rather than a
/// consumed PASSporT.
/// </summary>
public sealed class ExpiryTests : IAsyncLifetime
{
    // A `stir serve` of its own whose blobs live 5 to 6 s (the shared fixture keeps the defaults, 20 to 60 s): the
    // shortest lifetimes a client accepts (spec/protocol.md §7 floors: retention.minSeconds ≥ 5).
    private readonly ServeProcess _serve = new(new Dictionary<string, string>
    {
        ["Cps__Retention__MinSeconds"] = "5",
        ["Cps__Retention__MeanExtraSeconds"] = "1",
        ["Cps__Retention__MaxSeconds"] = "6",
    });

    public Task InitializeAsync() => _serve.InitializeAsync();

    public Task DisposeAsync() => _serve.DisposeAsync();

    [Fact]
    [Trait("Claim", "TM-45")]
    public async Task CallAfterTheBlobExpired_IsNoValidation_ThoughTheSameCallVerifiedWhileItLived()
    {
        var alice = _serve.NextCaller();
        var carol = _serve.NextCaller();
        var placer = _serve.Placer(_serve.AliceCarrier, "alice-carrier");

        // While the blob lives, Bob's verifier finds and verifies it ...
        var live = await placer.StoreAsync(alice, ServeProcess.Bob, null, CancellationToken.None);
        var whileLive = await _serve.Verifier(_serve.BobCarrierKey, ServeProcess.Bob).VerifyAsync(alice, ServeProcess.Bob, CancellationToken.None);

        // ... and a blob stored for another call, looked for only after its maximum lifetime (6 s) plus the
        // retrieval's one-second grain, is gone: not served, so the call is simply unverified.
        var expired = await placer.StoreAsync(carol, ServeProcess.Bob, null, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(7.5));
        var afterExpiry = await _serve.Verifier(_serve.BobPbxKey, ServeProcess.Bob).VerifyAsync(carol, ServeProcess.Bob, CancellationToken.None);

        Assert.True(live.Stored, live.Detail);
        Assert.Equal(Verstat.TnValidationPassed, whileLive.Verstat);
        Assert.True(expired.Stored, expired.Detail);
        Assert.Equal(Verstat.NoTnValidation, afterExpiry.Verstat);
        Assert.False(afterExpiry.Suspicious);
    }
}
