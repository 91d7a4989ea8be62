using Stir.Encrypted.Calls;
using Stir.Encrypted.EndToEnd.Tests.Support;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.EndToEnd.Tests;

/// <summary>
/// The use cases through the client library (CallPlacer, CallVerifier, the gateways) against `stir serve` running as a
/// real process: several key holders, several PASSporTs, a diverted call, consume-once, the directory down (the
/// cache answers), the CPS down (a clean unverified in bounded time).
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class LibraryFlowTests(ServeProcess serve) : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("stir-e2e-cache-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    [Trait("Claim", "TM-45")]
    public async Task SeveralPassports_ForTwoKeyHolders_VerifyWithEither_AndEachConsumesOnce()
    {
        var alice = serve.NextCaller();
        var basic = serve.Sign(serve.AliceCarrier, "alice-carrier", b => b.WithOrig(alice).AddDest(ServeProcess.Bob));
        var shaken = serve.Sign(serve.AliceCarrier, "alice-carrier", b => b.WithOrig(alice).AddDest(ServeProcess.Bob).WithShaken("A", Guid.NewGuid()));

        var report = await serve.Placer(null).StoreAsync(alice, ServeProcess.Bob, [basic.Token, shaken.Token], CancellationToken.None);
        var carrier = serve.Verifier(serve.BobCarrierKey, ServeProcess.Bob);
        var first = await carrier.VerifyAsync(alice, ServeProcess.Bob, CancellationToken.None);
        var again = await carrier.VerifyAsync(alice, ServeProcess.Bob, CancellationToken.None);
        var pbx = await serve.Verifier(serve.BobPbxKey, ServeProcess.Bob).VerifyAsync(alice, ServeProcess.Bob, CancellationToken.None);

        Assert.True(report.Stored, report.Detail);
        Assert.Equal(1, report.Blobs); // one blob sealed to both holders, in the one bucket both fetch
        Assert.Equal(Verstat.TnValidationPassed, first.Verstat);
        Assert.Equal([basic.Token, shaken.Token], first.Tokens);
        Assert.True(again.Suspicious);
        Assert.Equal(Verstat.TnValidationFailed, again.Verstat);
        Assert.Equal(Verstat.TnValidationPassed, pbx.Verstat);
    }

    [Fact]
    [Trait("Claim", "TM-45")]
    public async Task DivertedCall_DivOUnderTheNewDestination_VerifiesAtTheNewTarget()
    {
        var alice = serve.NextCaller();
        var original = serve.Sign(serve.AliceCarrier, "alice-carrier", b => b.WithOrig(alice).AddDest(ServeProcess.Bob));
        using var bobKey = PassportSigningKey.FromECDsa(serve.BobCarrier.PrivateKey);
        var divO = PassportBuilder.ForDiversion(original, PassportIdentity.FromTn(ServeProcess.Bob), nestOriginal: true)
            .WithX5u(serve.X5uOf("bob-carrier")).AddDest(ServeProcess.Carol).Sign(new PassportSigner(bobKey));

        var report = await serve.Placer(null).StoreAsync(alice, ServeProcess.Carol, [divO.Token], CancellationToken.None);
        var verdict = await serve.Verifier(serve.CarolKey, ServeProcess.Carol).VerifyAsync(alice, ServeProcess.Carol, CancellationToken.None);

        Assert.True(report.Stored, report.Detail);
        Assert.True(verdict.Verstat == Verstat.TnValidationPassed, verdict.ToString());
        Assert.Contains(verdict.Passports!.Verdicts, v => v.Passport?.Header.Ppt == "div-o");
    }

    [Fact]
    [Trait("Claim", "TM-45")]
    public async Task SpoofedCaller_WithAnotherCarriersCertificate_Fails()
    {
        var alice = serve.NextCaller();

        var report = await serve.Placer(serve.Mallory).StoreAsync(alice, ServeProcess.Carol, null, CancellationToken.None);
        var verdict = await serve.Verifier(serve.CarolKey, ServeProcess.Carol).VerifyAsync(alice, ServeProcess.Carol, CancellationToken.None);

        Assert.True(report.Stored, report.Detail);
        Assert.Equal(Verstat.TnValidationFailed, verdict.Verstat);
        Assert.Equal(PassportRule.OrigNotCovered, verdict.Passports!.Rule);
    }

    [Fact]
    [Trait("Claim", "TM-46")]
    public async Task DirectoryDown_TheCacheAnswers_AndTheCallIsStored()
    {
        var alice = serve.NextCaller();
        var switchable = new SwitchableHandler();
        var placer = serve.Placer(serve.AliceCarrier, "alice-carrier", switchable, _cache);

        var before = await placer.StoreAsync(alice, ServeProcess.Bob, null, CancellationToken.None);
        switchable.Down = true;
        var during = await placer.StoreAsync(serve.NextCaller(), ServeProcess.Bob, null, CancellationToken.None);

        Assert.True(before.Stored, before.Detail);
        Assert.True(during.Stored, during.Detail);
        Assert.Equal(1, during.Blobs);
        Assert.Matches("^1 blob of [0-9]+ bytes for 2 holders$", during.Steps.Single(s => s.Name == "seal").Detail);
        Assert.Contains("from the cache", during.Steps.Single(s => s.Name == "keys").Detail, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-46")]
    public async Task CpsDown_IsNoValidation_InBoundedTime()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();

        var verdict = await serve.Verifier(serve.BobCarrierKey, ServeProcess.Bob, new Uri("http://127.0.0.1:1/")).VerifyAsync(serve.NextCaller(), ServeProcess.Bob, CancellationToken.None);

        Assert.Equal(Verstat.NoTnValidation, verdict.Verstat);
        Assert.Contains("unreachable", verdict.Reason, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task StalePassport_FailsAsStale()
    {
        var alice = serve.NextCaller();
        var old = serve.Sign(serve.AliceCarrier, "alice-carrier", b => b.WithOrig(alice).AddDest(ServeProcess.Bob).WithIat(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120));

        await serve.Placer(null).StoreAsync(alice, ServeProcess.Bob, [old.Token], CancellationToken.None);
        var verdict = await serve.Verifier(serve.BobCarrierKey, ServeProcess.Bob).VerifyAsync(alice, ServeProcess.Bob, CancellationToken.None);

        Assert.Equal(Verstat.TnValidationFailed, verdict.Verstat);
        Assert.Equal(PassportRule.Stale, verdict.Passports!.Rule);
    }

    // Fails every request while Down (the directory is down; the CPS, reached through another client, is not).
    private sealed class SwitchableHandler() : DelegatingHandler(new HttpClientHandler())
    {
        public bool Down { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Down ? throw new HttpRequestException("connection refused (test: the directory is down)") : base.SendAsync(request, cancellationToken);
    }
}
