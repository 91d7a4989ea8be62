using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Flows;

/// <summary>
/// The caller's store and the callee's verdict through the CPS service (in memory; the real-process runs are in
/// the end-to-end tests): several key holders, several PASSporTs, spoofing, replay, staleness, expiry, a CPS that
/// is down, diversion and the substitution scenario.
/// </summary>
public sealed class CallFlowTests : IDisposable
{
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseE164("+12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");
    private static readonly TelephoneNumber Carol = TelephoneNumber.ParseE164("+14155550111");

    // x5c PASSporTs are ~2.5 KB each (a div-o nests its original), so these tests use an 8 KiB class.
    private readonly CpsFactory _cps = new(settings: new Dictionary<string, string?> { ["Cps:Classes:0:Size"] = "8192", ["Cps:Classes:0:Slots"] = "8", ["Cps:Limits:MaxBlobsPerStore"] = "4", ["Cps:Management:Urls"] = "http://127.0.0.1:0" });
    private readonly HttpClient _http;
    private readonly DevelopmentPki _pki;
    private readonly DevelopmentCredential _aliceCarrier;
    private readonly DevelopmentCredential _bobCarrier;
    private readonly DevelopmentCredential _mallory;
    private readonly HpkePrivateKey _bobCarrierKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
    private readonly HpkePrivateKey _bobPhoneKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
    private readonly HpkePrivateKey _carolKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
    private readonly FixedKeyHolders _directory = new();

    public CallFlowTests()
    {
        _http = _cps.CreateClient();
        _pki = DevelopmentPki.Create(_cps.Time);
        _aliceCarrier = _pki.IssueEndEntity("alice-carrier", Tns(Alice), TimeSpan.FromDays(30));
        _bobCarrier = _pki.IssueEndEntity("bob-carrier", Tns(Bob), TimeSpan.FromDays(30));
        _mallory = _pki.IssueEndEntity("mallory", Tns(TelephoneNumber.ParseE164("+16665550100")), TimeSpan.FromDays(30));
        _directory.Add(Bob, _bobCarrierKey.PublicKey, _bobPhoneKey.PublicKey);
        _directory.Add(Carol, _carolKey.PublicKey);
    }

    public void Dispose()
    {
        _http.Dispose();
        _cps.Dispose();
        foreach (var d in new IDisposable[] { _aliceCarrier, _bobCarrier, _mallory, _pki, _bobCarrierKey, _bobPhoneKey, _carolKey })
        {
            d.Dispose();
        }
    }

    [Fact]
    [Trait("Claim", "TM-16")]
    public async Task Store_ThenVerify_PassesForEveryKeyHolder_WithEachStepTimed()
    {
        var report = await Placer(_aliceCarrier).StoreAsync(Alice, Bob, null, CancellationToken.None);

        Assert.True(report.Stored, report.Detail);
        Assert.Equal(1, report.Blobs);
        Assert.Equal(["route", "config", "keys", "sign", "index", "seal", "store"], report.Steps.Select(s => s.Name));
        var byCarrier = await Verifier(_bobCarrierKey).VerifyAsync(Alice, Bob, CancellationToken.None);
        var byPhone = await Verifier(_bobPhoneKey).VerifyAsync(Alice, Bob, CancellationToken.None);
        Assert.Equal(Verstat.TnValidationPassed, byCarrier.Verstat);
        Assert.Equal(Verstat.TnValidationPassed, byPhone.Verstat);
        Assert.Contains(byCarrier.Steps, s => s.Name == "open" && s.Detail.StartsWith("1 blob", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Claim", "TM-59")]
    public async Task CallToANumberWithThreeHolders_IsOneStoreOfOneBlobInOneBucket_WhichEveryHolderFetchesAndOpens()
    {
        var dave = TelephoneNumber.ParseE164("+13035550177");
        using var carrier = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var enterprise = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var phone = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        _directory.Add(dave, carrier.PublicKey, enterprise.PublicKey, phone.PublicKey);

        var report = await Placer(_aliceCarrier).StoreAsync(Alice, dave, null, CancellationToken.None);

        // What the CPS saw: one store request (one append), one bucket, one blob, as its own counters say too.
        Assert.True(report.Stored, report.Detail);
        Assert.Equal(1, report.Blobs);
        Assert.EndsWith(", 1 bucket", report.Steps.Single(s => s.Name == "index").Detail, StringComparison.Ordinal);
        Assert.Equal("1 blob of 8192 bytes for 3 holders", report.Steps.Single(s => s.Name == "seal").Detail);
        Assert.Equal("1 blob acknowledged, in 1 request", report.Steps.Single(s => s.Name == "store").Detail);
        Assert.Equal(1, _cps.Store.Appends);
        var bucket = Assert.Single(_cps.Store.Keys);
        Assert.Single(_cps.Store.LiveBlobs(bucket));
        var metrics = await _cps.GetMetricsAsync();
        Assert.Contains("cps_store_requests_total 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("cps_blobs_stored_total 1\n", metrics, StringComparison.Ordinal);

        // Each holder, verifying on its own, fetches that one bucket (and only it) and opens the blob.
        foreach (var key in new[] { carrier, enterprise, phone })
        {
            var fetched = new RequestRecorder();
            using var http = _cps.CreateDefaultClient(fetched);
            var verdict = await Verifier(key, dave, http).VerifyAsync(Alice, dave, CancellationToken.None);

            Assert.True(verdict.Verstat == Verstat.TnValidationPassed, verdict.ToString());
            Assert.Equal([$"/v1/epochs/{bucket.Epoch}/buckets/{BlobIndex.FormatBucket(bucket.Bucket, 14)}"], fetched.Paths.Where(p => p.Contains("/buckets/", StringComparison.Ordinal)));
            Assert.Contains(verdict.Steps, s => s.Name == "open" && s.Detail.StartsWith("1 blob", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task SeveralPassportsPerCall_AreStoredAndVerifiedTogether()
    {
        using var key = PassportSigningKey.FromECDsa(_aliceCarrier.PrivateKey);
        var signer = new PassportSigner(key, _cps.Time);
        var basic = new PassportBuilder().WithX5c(_aliceCarrier.Chain).WithOrig(Alice).AddDest(Bob).Sign(signer).Token;
        var shaken = new PassportBuilder().WithX5c(_aliceCarrier.Chain).WithOrig(Alice).AddDest(Bob).WithShaken("B", Guid.NewGuid()).Sign(signer).Token;

        var report = await Placer(null).StoreAsync(Alice, Bob, [basic, shaken], CancellationToken.None);
        var verdict = await Verifier(_bobPhoneKey).VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.True(report.Stored, report.Detail);
        Assert.Equal(Verstat.TnValidationPassed, verdict.Verstat);
        Assert.Equal([basic, shaken], verdict.Tokens);
    }

    [Fact]
    [Trait("Claim", "TM-22")]
    public async Task SpoofedCaller_WithoutAPassport_IsNoValidation_AndWithItsOwnCertificate_Fails()
    {
        var nothingStored = await Verifier(_bobPhoneKey).VerifyAsync(Alice, Bob, CancellationToken.None);

        // Mallory's certificate covers another number; she stores a PASSporT claiming Alice.
        var report = await Placer(_mallory).StoreAsync(Alice, Bob, null, CancellationToken.None);
        var spoofed = await Verifier(_bobPhoneKey).VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.Equal(Verstat.NoTnValidation, nothingStored.Verstat);
        Assert.True(report.Stored);
        Assert.Equal(Verstat.TnValidationFailed, spoofed.Verstat);
        Assert.Equal(PassportRule.OrigNotCovered, spoofed.Passports!.Rule);
    }

    [Fact]
    [Trait("Claim", "TM-09")]
    public async Task SecondCallWithTheSamePassport_IsSuspicious_NotVerified()
    {
        await Placer(_aliceCarrier).StoreAsync(Alice, Bob, null, CancellationToken.None);
        var verifier = Verifier(_bobPhoneKey);

        var first = await verifier.VerifyAsync(Alice, Bob, CancellationToken.None);
        _cps.Time.Advance(TimeSpan.FromSeconds(3));
        var second = await verifier.VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.Equal(Verstat.TnValidationPassed, first.Verstat);
        Assert.Equal(Verstat.TnValidationFailed, second.Verstat);
        Assert.True(second.Suspicious);
        Assert.Contains("already verified another call 3 s ago", second.Reason, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-10")]
    public async Task Substitution_TheRaceWinnerVerifies_AndTheGenuineCallIsFlagged()
    {
        // RFC 8816 §7.4: a callback service stores a PASSporT for CS → Bob and calls; an attacker presenting the
        // CS's number reaches Bob first. Its call verifies (indistinguishable); the genuine call is then flagged.
        var callbackService = Alice;
        await Placer(_aliceCarrier).StoreAsync(callbackService, Bob, null, CancellationToken.None);
        var verifier = Verifier(_bobPhoneKey);

        var attackersCall = await verifier.VerifyAsync(callbackService, Bob, CancellationToken.None);
        var genuineCall = await verifier.VerifyAsync(callbackService, Bob, CancellationToken.None);

        Assert.Equal(Verstat.TnValidationPassed, attackersCall.Verstat);
        Assert.True(genuineCall.Suspicious);
    }

    [Fact]
    public async Task StalePassport_StoredFresh_FailsAsStale()
    {
        using var key = PassportSigningKey.FromECDsa(_aliceCarrier.PrivateKey);
        var old = new PassportBuilder().WithX5c(_aliceCarrier.Chain).WithOrig(Alice).AddDest(Bob)
            .WithIat(_cps.Time.GetUtcNow().ToUnixTimeSeconds() - 90).Sign(new PassportSigner(key, _cps.Time)).Token;

        await Placer(null).StoreAsync(Alice, Bob, [old], CancellationToken.None);
        var verdict = await Verifier(_bobPhoneKey).VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.Equal(Verstat.TnValidationFailed, verdict.Verstat);
        Assert.Equal(PassportRule.Stale, verdict.Passports!.Rule);
        Assert.Contains("stale by 90 s", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAfterTheBlobExpired_IsNoValidation()
    {
        await Placer(_aliceCarrier).StoreAsync(Alice, Bob, null, CancellationToken.None);
        _cps.Time.Advance(TimeSpan.FromSeconds(61)); // past the CPS's maximum retention (60 s)

        var verdict = await Verifier(_bobPhoneKey).VerifyAsync(Alice, Bob, CancellationToken.None);

        Assert.Equal(Verstat.NoTnValidation, verdict.Verstat);
    }

    [Fact]
    [Trait("Claim", "TM-57")]
    public async Task CpsDown_GivesNoValidation_InBoundedTime_AndTheStoreSaysWhy()
    {
        var down = new StaticCallRouter(new Uri("http://127.0.0.1:1/"));
        using var http = new HttpClient();
        using var keys = new CalleeKeyRing();
        keys.Add(Bob, HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256));
        var verifier = new CallVerifier(http, down, keys, PassportVerifierFor(), new CallVerifierOptions { TimeProvider = _cps.Time });
        var placer = new CallPlacer(http, down, _directory, PlacerOptions(_aliceCarrier));

        var started = System.Diagnostics.Stopwatch.StartNew();
        var verdict = await verifier.VerifyAsync(Alice, Bob, CancellationToken.None);
        var report = await placer.StoreAsync(Alice, Bob, null, CancellationToken.None);

        Assert.Equal(Verstat.NoTnValidation, verdict.Verstat);
        Assert.Contains("unreachable", verdict.Reason, StringComparison.Ordinal);
        Assert.False(report.Stored);
        Assert.Contains("unreachable", report.Detail, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), "the CPS client bounds every request");
    }

    [Fact]
    public async Task KeySourceDown_IsNotStored_AndTheReportSaysWhy()
    {
        var placer = new CallPlacer(_http, new StaticCallRouter(_http.BaseAddress!), new DownKeyHolders(), PlacerOptions(_aliceCarrier));

        var report = await placer.StoreAsync(Alice, Bob, null, CancellationToken.None);

        Assert.False(report.Stored);
        Assert.Equal("the called number's keys cannot be had, so the call goes unverified: the directory is down", report.Detail);
        Assert.Equal(["route", "config", "keys"], report.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task NumberWithoutKeyHolders_IsNotStored_AndSaysWhy()
    {
        var report = await Placer(_aliceCarrier).StoreAsync(Alice, TelephoneNumber.ParseE164("+17775550100"), null, CancellationToken.None);

        Assert.False(report.Stored);
        Assert.Contains("no key holder", report.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DivertedCall_DivOPassportUnderTheNewDestination_VerifiesBackToTheOriginal()
    {
        // Alice calls Bob; Bob's carrier retargets the call to Carol (RFC 8946, RFC 8816 §6.2): it stores a div-o
        // PASSporT nesting the original, signed with its own certificate (covering Bob), under (Alice, Carol).
        var stored = await Placer(_aliceCarrier).StoreAsync(Alice, Bob, null, CancellationToken.None);
        var original = Passport.Parse(stored.Passports[0]);
        using var bobKey = PassportSigningKey.FromECDsa(_bobCarrier.PrivateKey);
        var divO = PassportBuilder.ForDiversion(original, PassportIdentity.FromTn(Bob), nestOriginal: true)
            .WithX5c(_bobCarrier.Chain).AddDest(Carol).Sign(new PassportSigner(bobKey, _cps.Time)).Token;

        var report = await Placer(null).StoreAsync(Alice, Carol, [divO], CancellationToken.None);
        var verdict = await Verifier(_carolKey, Carol).VerifyAsync(Alice, Carol, CancellationToken.None);

        Assert.True(report.Stored, report.Detail);
        Assert.True(verdict.Verstat == Verstat.TnValidationPassed, verdict.ToString());
        Assert.Contains(verdict.Passports!.Verdicts, v => v.Passport?.Header.Ppt == "div-o");
    }

    private static TNAuthList Tns(TelephoneNumber tn) => new([new TNEntry.One(tn)]);

    private CallPlacerOptions PlacerOptions(DevelopmentCredential? signer) => new()
    {
        Signer = signer is null ? null : new PassportSigner(PassportSigningKey.FromECDsa(signer.PrivateKey), _cps.Time),
        SignerChain = signer?.Chain,
        TimeProvider = _cps.Time,
    };

    private CallPlacer Placer(DevelopmentCredential? signer) =>
        new(_http, new StaticCallRouter(_http.BaseAddress!), _directory, PlacerOptions(signer));

    private PassportVerifier PassportVerifierFor() =>
        new(new StirCredentialResolver(new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _cps.Time })), null, _cps.Time);

    private CallVerifier Verifier(HpkePrivateKey key, TelephoneNumber? number = null, HttpClient? http = null)
    {
        var ring = new CalleeKeyRing();
        ring.Add(number ?? Bob, HpkePrivateKey.Import(key.Kem, key.Export()));
        return new CallVerifier(http ?? _http, new StaticCallRouter(_http.BaseAddress!), ring, PassportVerifierFor(), new CallVerifierOptions { TimeProvider = _cps.Time });
    }

    /// <summary>The paths of the requests a client sent.</summary>
    private sealed class RequestRecorder : DelegatingHandler
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _paths = new();

        public IReadOnlyList<string> Paths => [.. _paths];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _paths.Enqueue(request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class DownKeyHolders : IKeyHolderSource
    {
        public Task<IReadOnlyList<HpkePublicKey>> GetHolderKeysAsync(TelephoneNumber called, CancellationToken cancellationToken) =>
            throw new CallRoutingException("the directory is down");
    }
}
