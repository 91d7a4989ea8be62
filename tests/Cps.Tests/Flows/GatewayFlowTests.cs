using System.Net;
using System.Text;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Flows;

/// <summary>
/// Use cases 3 and 4 through the CPS service (in memory): an originating gateway lifts the Identity header fields of
/// an INVITE and stores them out of band; a terminating gateway retrieves and verifies them for the PSTN call and
/// re-inserts them into the INVITE it sends on, diverted calls included.
/// </summary>
public sealed class GatewayFlowTests : IDisposable
{
    private const string AliceX5u = "https://certs.example.net/alice-carrier.pem";
    private const string BobX5u = "https://certs.example.net/bob-carrier.pem";
    private static readonly TelephoneNumber Alice = TelephoneNumber.ParseE164("+12025550123");
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");
    private static readonly TelephoneNumber Carol = TelephoneNumber.ParseE164("+14155550111");

    private readonly CpsFactory _cps = new(settings: new Dictionary<string, string?> { ["Cps:Classes:0:Size"] = "8192", ["Cps:Classes:0:Slots"] = "8", ["Cps:Limits:MaxBlobsPerStore"] = "4" });
    private readonly HttpClient _http;
    private readonly DevelopmentPki _pki;
    private readonly DevelopmentCredential _aliceCarrier;
    private readonly DevelopmentCredential _bobCarrier;
    private readonly HpkePrivateKey _bobKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
    private readonly HpkePrivateKey _bobPbxKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
    private readonly HpkePrivateKey _carolKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
    private readonly CertificateServer _certs = new();
    private readonly HttpClient _certHttp;
    private int _stores;
    private volatile bool _down;

    public GatewayFlowTests()
    {
        _http = _cps.CreateClient();
        _pki = DevelopmentPki.Create(_cps.Time);
        _aliceCarrier = _pki.IssueEndEntity("alice-carrier", new TNAuthList([new TNEntry.One(Alice)]), TimeSpan.FromDays(30));
        _bobCarrier = _pki.IssueEndEntity("bob-carrier", new TNAuthList([new TNEntry.One(Bob)]), TimeSpan.FromDays(30));
        _certs.Serve(AliceX5u, _aliceCarrier.Chain);
        _certs.Serve(BobX5u, _bobCarrier.Chain);
        _certHttp = new HttpClient(_certs);
    }

    public void Dispose()
    {
        _http.Dispose();
        _certHttp.Dispose();
        _cps.Dispose();
        foreach (var d in new IDisposable[] { _aliceCarrier, _bobCarrier, _pki, _bobKey, _bobPbxKey, _carolKey })
        {
            d.Dispose();
        }
    }

    [Fact]
    [Trait("Claim", "TM-43")]
    public async Task InviteWithTwoIdentityHeaders_IsLiftedStored_AndReinsertedOnTheFarSide_ForEveryKeyHolder()
    {
        var basic = Sign(_aliceCarrier, AliceX5u, b => b.WithOrig(Alice).AddDest(Bob));
        var shaken = Sign(_aliceCarrier, AliceX5u, b => b.WithOrig(Alice).AddDest(Bob).WithShaken("A", Guid.NewGuid()));
        var invite = Invite(Alice, Bob, Bob, basic.ToIdentityHeader(), shaken.ToIdentityHeader());

        var stored = await Store().StoreAsync(invite, CancellationToken.None);
        var atCarrier = await Deliver(_bobKey, Bob).DeliverAsync(Invite(Alice, Bob, Bob), CancellationToken.None);
        var atPbx = await Deliver(_bobPbxKey, Bob).DeliverAsync(Invite(Alice, Bob, Bob), CancellationToken.None);

        Assert.True(stored.Stored, stored.Detail);
        Assert.Equal(1, stored.Placement!.Blobs); // one blob sealed to both of Bob's holders
        foreach (var delivery in new[] { atCarrier, atPbx })
        {
            Assert.Equal(Verstat.TnValidationPassed, delivery.Verdict!.Verstat);
            Assert.Equal([basic.ToIdentityHeader(), shaken.ToIdentityHeader()], delivery.IdentityValues);

            // The INVITE sent on carries them as any STIR INVITE does: lifting it gives the original PASSporTs back.
            var relifted = SipGateway.Lift(SipInvite.Parse(delivery.Invite.ToBytes()));
            Assert.Equal([basic.Token, shaken.Token], relifted.Passports.Select(p => p.Token));
            Assert.True(relifted.NumberCheck.IsMatch, relifted.NumberCheck.ToString());
        }
    }

    [Fact]
    [Trait("Claim", "TM-43")]
    public async Task RetransmittedInvite_IsNotStoredTwice_ButAfterTheWindowItIs()
    {
        var passport = Sign(_aliceCarrier, AliceX5u, b => b.WithOrig(Alice).AddDest(Bob));
        var invite = Invite(Alice, Bob, Bob, passport.ToIdentityHeader());
        var gateway = Store();

        var first = await gateway.StoreAsync(invite, CancellationToken.None);
        var again = await gateway.StoreAsync(invite, CancellationToken.None);
        _cps.Time.Advance(TimeSpan.FromSeconds(66));
        var later = await gateway.StoreAsync(invite, CancellationToken.None);

        Assert.True(first.Stored);
        Assert.True(again.AlreadyStored);
        Assert.Null(again.Placement);
        Assert.Equal("all 1 PASSporT(s) were already stored by this gateway within 65 s", again.Detail);
        Assert.False(later.AlreadyStored);
        Assert.True(later.Stored);
        Assert.Equal(2, _stores); // one store request per attempt, whatever the number of key holders (Bob has two)
    }

    [Fact]
    public async Task FailedStore_IsNotRememberedAsStored()
    {
        var passport = Sign(_aliceCarrier, AliceX5u, b => b.WithOrig(Alice).AddDest(Bob));
        var invite = Invite(Alice, Bob, Bob, passport.ToIdentityHeader());
        _down = true;
        var gateway = Store();

        var down = await gateway.StoreAsync(invite, CancellationToken.None);
        _down = false;
        var up = await gateway.StoreAsync(invite, CancellationToken.None);

        Assert.False(down.Stored);
        Assert.False(down.AlreadyStored);
        Assert.Contains("unreachable", down.Detail, StringComparison.Ordinal);
        Assert.True(up.Stored, up.Detail);
    }

    [Fact]
    public async Task InviteWithoutIdentity_OrWithPassportsForAnotherCall_IsNotStored()
    {
        var forCarol = Sign(_aliceCarrier, AliceX5u, b => b.WithOrig(Alice).AddDest(Carol));

        var none = await Store().StoreAsync(Invite(Alice, Bob, Bob), CancellationToken.None);
        var other = await Store().StoreAsync(Invite(Alice, Bob, Bob, forCarol.ToIdentityHeader()), CancellationToken.None);

        Assert.False(none.Stored);
        Assert.Equal("the INVITE carries no Identity header field: nothing to store", none.Detail);
        Assert.False(other.Stored);
        Assert.StartsWith("the PASSporTs are not about this call: PASSporT #1: \"dest\"", other.Detail, StringComparison.Ordinal);
        Assert.Equal(0, _stores);
    }

    [Fact]
    [Trait("Claim", "TM-44")]
    public async Task NothingStored_OrASpoofedCaller_IsNotInserted_AndTheInviteGoesOnAsItCame()
    {
        var stored = Sign(_aliceCarrier, AliceX5u, b => b.WithOrig(Alice).AddDest(Bob));
        await Store().StoreAsync(Invite(Alice, Bob, Bob, stored.ToIdentityHeader()), CancellationToken.None);
        var mallory = TelephoneNumber.ParseE164("+16665550100");
        var pstn = Invite(mallory, Bob, Bob);

        var delivery = await Deliver(_bobKey, Bob).DeliverAsync(pstn, CancellationToken.None);

        Assert.Equal(Verstat.NoTnValidation, delivery.Verdict!.Verstat);
        Assert.Empty(delivery.IdentityValues);
        Assert.Same(pstn, delivery.Invite);
        Assert.StartsWith("not inserted: No-TN-Validation", delivery.Detail, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-44")]
    public async Task SignedByACarrierNotCoveringTheCaller_IsFailed_AndNotInserted()
    {
        // Bob's carrier signs a PASSporT claiming Alice: the gateway stores what it lifts, the far side refuses it.
        var spoof = Sign(_bobCarrier, BobX5u, b => b.WithOrig(Alice).AddDest(Carol));
        var stored = await Store().StoreAsync(Invite(Alice, Carol, Carol, spoof.ToIdentityHeader()), CancellationToken.None);

        var delivery = await Deliver(_carolKey, Carol).DeliverAsync(Invite(Alice, Carol, Carol), CancellationToken.None);

        Assert.True(stored.Stored);
        Assert.Equal(Verstat.TnValidationFailed, delivery.Verdict!.Verstat);
        Assert.Equal(PassportRule.OrigNotCovered, delivery.Verdict.Passports!.Rule);
        Assert.Empty(delivery.IdentityValues);
    }

    [Fact]
    [Trait("Claim", "TM-43")]
    public async Task DivertedInvite_WithItsDivPassport_IsStoredForTheNewTarget_AndVerifiesThere()
    {
        // RFC 8946: Alice → Bob, retargeted by Bob's carrier to Carol; the INVITE keeps the original Identity and adds
        // a div PASSporT, its Request-URI is now Carol (To stays Bob).
        var original = Sign(_aliceCarrier, AliceX5u, b => b.WithOrig(Alice).AddDest(Bob));
        using var bobKey = PassportSigningKey.FromECDsa(_bobCarrier.PrivateKey);
        var div = PassportBuilder.ForDiversion(original, PassportIdentity.FromTn(Bob)).WithX5u(BobX5u).AddDest(Carol).Sign(new PassportSigner(bobKey, _cps.Time));
        var invite = Invite(Alice, Bob, Carol, original.ToIdentityHeader(), div.ToIdentityHeader());

        var stored = await Store().StoreAsync(invite, CancellationToken.None);
        var delivery = await Deliver(_carolKey, Carol).DeliverAsync(Invite(Alice, Carol, Carol), CancellationToken.None);

        Assert.True(stored.Stored, stored.Detail);
        Assert.True(delivery.Verdict!.Verstat == Verstat.TnValidationPassed, delivery.Verdict.ToString());
        Assert.Equal([original.ToIdentityHeader(), div.ToIdentityHeader()], delivery.IdentityValues);
    }

    [Fact]
    [Trait("Claim", "TM-43")]
    public async Task DivOStoredByTheRetargetingCarrier_IsDeliveredToTheNewTarget()
    {
        // RFC 8816 §6.2: the retargeting carrier stores a div-o nesting the original under (Alice, Carol).
        var original = Sign(_aliceCarrier, AliceX5u, b => b.WithOrig(Alice).AddDest(Bob));
        using var bobKey = PassportSigningKey.FromECDsa(_bobCarrier.PrivateKey);
        var divO = PassportBuilder.ForDiversion(original, PassportIdentity.FromTn(Bob), nestOriginal: true).WithX5u(BobX5u).AddDest(Carol).Sign(new PassportSigner(bobKey, _cps.Time));
        var placer = new CallPlacer(_http, new StaticCallRouter(_http.BaseAddress!), new Holders(this), new CallPlacerOptions { TimeProvider = _cps.Time });
        var report = await placer.StoreAsync(Alice, Carol, [divO.Token], CancellationToken.None);

        var delivery = await Deliver(_carolKey, Carol).DeliverAsync(Invite(Alice, Carol, Carol), CancellationToken.None);

        Assert.True(report.Stored, report.Detail);
        Assert.True(delivery.Verdict!.Verstat == Verstat.TnValidationPassed, delivery.Verdict.ToString());
        var value = Assert.Single(delivery.IdentityValues);
        Assert.Contains(";ppt=div-o", value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task X5cPassport_Verifies_ButCannotBeCarriedInSip_AndTheDeliverySaysSo()
    {
        using var key = PassportSigningKey.FromECDsa(_aliceCarrier.PrivateKey);
        var x5c = new PassportBuilder().WithX5c(_aliceCarrier.Chain).WithOrig(Alice).AddDest(Bob).Sign(new PassportSigner(key, _cps.Time));
        var placer = new CallPlacer(_http, new StaticCallRouter(_http.BaseAddress!), new Holders(this), new CallPlacerOptions { TimeProvider = _cps.Time });
        await placer.StoreAsync(Alice, Bob, [x5c.Token], CancellationToken.None);

        var delivery = await Deliver(_bobKey, Bob).DeliverAsync(Invite(Alice, Bob, Bob), CancellationToken.None);

        Assert.Equal(Verstat.TnValidationPassed, delivery.Verdict!.Verstat);
        Assert.Empty(delivery.IdentityValues);
        Assert.Contains("has x5c but no x5u", delivery.Detail, StringComparison.Ordinal);
    }

    private static SipInvite Invite(TelephoneNumber from, TelephoneNumber to, TelephoneNumber target, params string[] identities)
    {
        var text = new StringBuilder()
            .Append($"INVITE sip:{target.ToE164()}@gw.example.net;user=phone SIP/2.0\r\n")
            .Append("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n")
            .Append("Max-Forwards: 70\r\n")
            .Append($"From: <sip:{from.ToE164()}@example.com;user=phone>;tag=1928301774\r\n")
            .Append($"To: <sip:{to.ToE164()}@example.net;user=phone>\r\n")
            .Append("Call-ID: a84b4c76e66710\r\n")
            .Append("CSeq: 314159 INVITE\r\n")
            .Append("Contact: <sip:192.0.2.1:5060>\r\n");
        foreach (var identity in identities)
        {
            text.Append($"Identity: {identity}\r\n");
        }

        return SipInvite.Parse(text.Append("Content-Length: 0\r\n\r\n").ToString());
    }

    private Passport Sign(DevelopmentCredential signer, string x5u, Func<PassportBuilder, PassportBuilder> shape)
    {
        using var key = PassportSigningKey.FromECDsa(signer.PrivateKey);
        return shape(new PassportBuilder().WithX5u(x5u)).Sign(new PassportSigner(key, _cps.Time));
    }

    private GatewayStore Store()
    {
        var counting = new CountingHandler(this) { InnerHandler = _cps.Server.CreateHandler() };
        var http = new HttpClient(counting) { BaseAddress = _http.BaseAddress };
        var placer = new CallPlacer(http, new StaticCallRouter(_http.BaseAddress!), new Holders(this), new CallPlacerOptions { TimeProvider = _cps.Time });
        return new GatewayStore(placer, new GatewayStoreOptions { TimeProvider = _cps.Time });
    }

    private GatewayDeliver Deliver(HpkePrivateKey key, TelephoneNumber number)
    {
        var ring = new CalleeKeyRing();
        ring.Add(number, HpkePrivateKey.Import(key.Kem, key.Export()));
        var validator = new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _cps.Time });
        var passports = new PassportVerifier(new StirCredentialResolver(validator, new X5uResolver(_certHttp, validator)), null, _cps.Time);
        return new GatewayDeliver(new CallVerifier(_http, new StaticCallRouter(_http.BaseAddress!), ring, passports, new CallVerifierOptions { TimeProvider = _cps.Time }));
    }

    private sealed class Holders(GatewayFlowTests test) : IKeyHolderSource
    {
        public Task<IReadOnlyList<HpkePublicKey>> GetHolderKeysAsync(TelephoneNumber called, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<HpkePublicKey>>(
                called == Bob ? [test._bobKey.PublicKey, test._bobPbxKey.PublicKey] : called == Carol ? [test._carolKey.PublicKey] : []);
    }

    // Counts store requests (POST) reaching the CPS, or fails every request while the test says the CPS is down.
    private sealed class CountingHandler(GatewayFlowTests test) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (test._down)
            {
                throw new HttpRequestException("connection refused (test: the CPS is down)");
            }

            if (request.Method == HttpMethod.Post)
            {
                Interlocked.Increment(ref test._stores);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    // The carriers' x5u URLs: each answers its chain as PEM (RFC 8225 §5.1.2, RFC 8226 §9).
    private sealed class CertificateServer : HttpMessageHandler
    {
        private readonly Dictionary<string, string> _pems = new(StringComparer.Ordinal);

        public void Serve(string url, IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> chain) =>
            _pems[url] = string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n"));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(_pems.TryGetValue(request.RequestUri!.AbsoluteUri, out var pem)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(pem, Encoding.ASCII, "application/pem-certificate-chain") }
                : new HttpResponseMessage(HttpStatusCode.NotFound));
    }
}
