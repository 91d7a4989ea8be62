using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;
using Stir.Encrypted.Telephony;
using static Stir.Encrypted.Tests.Formats.PassportTestKit;
using static Stir.Encrypted.Tests.Formats.SipTestKit;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// The gateway operations: lifting PASSporTs out of an INVITE (full forms as they are, compact forms
/// rebuilt per RFC 8224 §4.1), reporting each Identity header field that cannot be lifted with its rule,
/// re-inserting PASSporTs into a new INVITE, and checking orig/dest against the signaling.
/// </summary>
public sealed class SipGatewayTests : IDisposable
{
    private static readonly Guid OrigId = Guid.Parse("123e4567-e89b-12d3-a456-426655440000");

    private readonly Rig _rig = new();

    public void Dispose() => _rig.Dispose();

    private Passport Baseline() => Basic().Sign(_rig.Signer);

    private Passport Shaken() => Basic().WithShaken("A", OrigId).Sign(_rig.Signer);

    private static string WithIdentity(params string[] values) => Invite(Headers([.. values.Select(v => "+Identity: " + v)]));

    [Fact]
    public async Task Lift_FullFormBaselineAndShaken_LiftsBothWithTheCallersNumbers()
    {
        var baseline = Baseline();
        var shaken = Shaken();
        var invite = SipInvite.Parse(WithIdentity(baseline.ToIdentityHeader(), shaken.ToIdentityHeader()));

        var lifted = SipGateway.Lift(invite);

        Assert.Equal([baseline.Token, shaken.Token], lifted.Passports.Select(p => p.Token));
        Assert.Equal([1, 2], lifted.Sources);
        Assert.Empty(lifted.Problems);
        Assert.True(lifted.NumberCheck.IsMatch, lifted.NumberCheck.ToString());
        Assert.Equal("tn 12025550123 (From, line 5)", lifted.Orig.ToString());
        Assert.Equal("tn 12025550199 (To, line 4)", lifted.Dest.ToString());
        Assert.Equal("tn 12025550199 (Request-URI, line 1)", lifted.Target.ToString());
        var verdict = await _rig.Verifier.VerifyCallAsync(lifted.Passports, lifted.Dest.Number, CancellationToken.None);
        Assert.True(verdict.IsValid, verdict.ToString());
    }

    [Fact]
    public async Task Lift_CompactForm_RebuildsExactlyTheSignedToken()
    {
        var passport = Baseline();
        var invite = SipInvite.Parse(WithIdentity(passport.ToIdentityHeader(compact: true)));

        var lifted = SipGateway.Lift(invite);

        Assert.Empty(lifted.Problems);
        Assert.Equal(passport.Token, Assert.Single(lifted.Passports).Token);
        Assert.True((await _rig.VerifyAsync(lifted.Passports[0].Token, Dest)).IsValid);
    }

    [Fact]
    public void Lift_CompactFormWithSdpFingerprints_RebuildsTheMkyClaim()
    {
        const string Sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nt=0 0\r\nm=audio 49172 UDP/TLS/RTP/SAVP 0\r\n"
            + "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1\r\n"
            + "a=fingerprint:sha-256 02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2\r\n";

        // RFC 8225 §5.2.2's own example: sorted by alg then dig, colons dropped.
        using var mky = JsonDocument.Parse("""
            [{"alg":"sha-256","dig":"021ACC5427ABEB9C533F3E4B652E7D463F5442CD54F17A03A27DF9B07F4619B2"},
             {"alg":"sha-256","dig":"4AADB9B13F82183B540212DF3E5D496B19E57CAB3E4B652E7D463F5442CD54F1"}]
            """);
        var passport = Basic().WithClaim("mky", mky.RootElement).Sign(_rig.Signer);
        var invite = SipInvite.Parse(Invite(Headers("+Content-Type: application/sdp", "+Identity: " + passport.ToIdentityHeader(compact: true)), Sdp));

        var lifted = SipGateway.Lift(invite);

        Assert.Empty(lifted.Problems);
        Assert.Equal(passport.Token, Assert.Single(lifted.Passports).Token);
    }

    [Fact]
    public async Task Lift_CompactFormAfterTheDateChanged_RebuildsATokenTheVerifierRejects()
    {
        var passport = Baseline();
        var invite = SipInvite.Parse(Invite(Headers("Date: Fri, 15 Jan 2027 08:00:01 GMT", "+Identity: " + passport.ToIdentityHeader(compact: true))));

        var lifted = SipGateway.Lift(invite);

        Assert.NotEqual(passport.Token, Assert.Single(lifted.Passports).Token);
        Assert.Equal(PassportRule.SignatureInvalid, (await _rig.VerifyAsync(lifted.Passports[0].Token, Dest)).Rule);
    }

    [Fact]
    public void Lift_CompactFormWithUriCaller_RebuildsTheCanonicalUriOrig()
    {
        var passport = new PassportBuilder().WithX5u(X5u).WithOrig(PassportIdentity.FromUri("sip:alice@example.com")).AddDest(Dest).Sign(_rig.Signer);
        var invite = SipInvite.Parse(Invite(Headers("From: \"Alice\" <sip:Alice@Example.com:5061;transport=tls>;tag=7", "+Identity: " + passport.ToIdentityHeader(compact: true))));

        var lifted = SipGateway.Lift(invite);

        Assert.Empty(lifted.Problems);
        Assert.Equal(passport.Token, Assert.Single(lifted.Passports).Token);
        Assert.True(lifted.NumberCheck.IsMatch, lifted.NumberCheck.ToString());
    }

    public static TheoryData<string> ProblemNames() => [.. ProblemRows.Keys];

    // name -> (Identity values given, the problem expected for the last one)
    private static readonly Dictionary<string, Func<SipGatewayTests, (string[] Values, string Expected)>> ProblemRows = new()
    {
        ["comma-joined values"] = t => ([$"{t.Baseline().ToIdentityHeader()}, {t.Shaken().ToIdentityHeader()}"], "holds a comma outside <...>: RFC 8224 §4 defines Identity as one PASSporT with its parameters (no #list), so RFC 3261 §7.3.1 forbids joining values with commas; send each PASSporT in its own Identity header field"),
        ["no info parameter"] = t => ([t.Baseline().Token], "no ;info=<URI> parameter, which RFC 8224 §4 requires"),
        ["alg RS256"] = t => ([$"{t.Baseline().Token};info=<{X5u}>;alg=RS256"], "alg=RS256 is not supported: ES256 is the only PASSporT algorithm (RFC 8224 §4.1, RFC 8225 §4.2)"),
        ["unsupported ppt"] = t => ([$"{t.Baseline().Token};info=<{X5u}>;ppt=rph"], "ppt=rph is not supported, so the header field is ignored (RFC 8224 §6.2 step 1)"),
        ["info differs from x5u"] = t => ([$"{t.Baseline().Token};info=<https://evil.example/sp.pem>;alg=ES256"], $"info <https://evil.example/sp.pem> differs from the PASSporT's x5u \"{X5u}\" (RFC 8224 §4.1)"),
        ["ppt parameter missing"] = t => ([$"{t.Shaken().Token};info=<{X5u}>;alg=ES256"], "ppt parameter (absent) differs from the PASSporT's ppt \"shaken\" (RFC 8224 §4.1)"),
        ["ppt parameter on a baseline"] = t => ([$"{t.Baseline().Token};info=<{X5u}>;ppt=shaken"], "ppt parameter \"shaken\" differs from the PASSporT's ppt (absent) (RFC 8224 §4.1)"),
        ["info twice"] = t => ([$"{t.Baseline().Token};info=<{X5u}>;info=<{X5u}>"], "Identity header \"info\": appears twice"),
        ["not a PASSporT"] = _ => ([$"abc.def;info=<{X5u}>"], "token: expected 3 segments (header.claims.signature) separated by '.', found 2"),
        ["character outside base64"] = _ => ([$"abc$def;info=<{X5u}>"], "Identity header: character '$' cannot appear in the signed-identity-digest (RFC 8224 §4)"),
        ["compact form without Date"] = t => ([t.Baseline().ToIdentityHeader(compact: true)], "compact form: no Date header field, which gives the compact form's iat (RFC 8224 §4.1), so it cannot be rebuilt"),
        ["compact form of SHAKEN"] = t => ([t.Shaken().ToIdentityHeader(compact: true)], "compact form: ppt=shaken: an extended PASSporT signs claims the SIP request does not carry, so its compact form cannot be rebuilt; it needs the full form (RFC 8224 §9, RFC 8588 §3)"),
        ["compact form with http info"] = t => ([$"{t.Baseline().CompactForm};info=<http://cert.example.net/sp.pem>"], "compact form: info <http://cert.example.net/sp.pem> cannot be the header's x5u: it must be an absolute https URL (RFC 8225 §4.3, RFC 7515 §4.1.5)"),
        ["compact form with a short signature"] = _ => ([$"..AAAA;info=<{X5u}>"], "compact form: the rebuilt PASSporT is malformed: signature: an ES256 signature is 64 bytes (R || S, RFC 7518 §3.4); this one has 3"),
        ["the same PASSporT twice"] = t => t.Baseline() is var p ? ([p.ToIdentityHeader(), p.ToIdentityHeader()], "repeats the PASSporT of Identity #1") : default,
    };

    [Theory]
    [MemberData(nameof(ProblemNames))]
    public void Lift_BadIdentityHeader_IsLeftOutWithTheRule(string name)
    {
        var (values, expected) = ProblemRows[name](this);
        var text = name == "compact form without Date" ? Invite(Headers(["-Date", .. values.Select(v => "+Identity: " + v)])) : WithIdentity(values);
        var invite = SipInvite.Parse(text);

        var lifted = SipGateway.Lift(invite);

        var problem = Assert.Single(lifted.Problems);
        Assert.Equal(expected, problem.Message);
        Assert.Equal(values.Length, problem.Index);
        Assert.Equal(invite.IdentityHeaders[^1].Line, problem.Line);
        Assert.Equal(values.Length - 1, lifted.Passports.Count);
    }

    [Fact]
    public void Lift_OneBadHeaderAmongGoodOnes_LiftsTheGoodOnes()
    {
        var baseline = Baseline();
        var shaken = Shaken();
        var invite = SipInvite.Parse(WithIdentity(baseline.ToIdentityHeader(), "garbage;info=<https://x.example/c>", shaken.ToIdentityHeader()));

        var lifted = SipGateway.Lift(invite);

        Assert.Equal([baseline.Token, shaken.Token], lifted.Passports.Select(p => p.Token));
        Assert.Equal([1, 3], lifted.Sources);
        Assert.Equal("Identity #2 (line 11): token: expected 3 segments (header.claims.signature) separated by '.', found 1", Assert.Single(lifted.Problems).ToString());
    }

    [Fact]
    public void CheckNumbers_OrigNotTheCaller_SaysWhichHeadersWereCompared()
    {
        var passport = Basic().Sign(_rig.Signer);
        var invite = SipInvite.Parse(Invite("From: <sip:+12025550666@example.com;user=phone>;tag=1", "+P-Asserted-Identity: <sip:bob@example.com>"));

        var check = SipGateway.CheckNumbers(invite, [passport]);

        Assert.False(check.IsMatch);
        Assert.Equal(
            "PASSporT #1: \"orig\" tn 12025550123 is not the caller the request shows: From tn 12025550666 (line 5), P-Asserted-Identity uri sip:bob@example.com (line 10), which has no number: the user part \"bob\" is not a telephone number: no user=phone, no leading '+', not only digits and separators (RFC 8224 §8.1)",
            Assert.Single(check.Mismatches));
    }

    [Fact]
    public void CheckNumbers_DestNotTheCallee_SaysWhichHeadersWereCompared()
    {
        var passport = Basic().Sign(_rig.Signer);
        var invite = SipInvite.Parse(Invite(Headers("To: <sip:alice@example.net>"), requestLine: "INVITE tel:+12025550777 SIP/2.0"));

        var check = SipGateway.CheckNumbers(invite, [passport]);

        Assert.Equal(
            "PASSporT #1: \"dest\" (tn 12025550199) holds neither callee the request shows: To uri sip:alice@example.net (line 4), which has no number: the user part \"alice\" is not a telephone number: no user=phone, no leading '+', not only digits and separators (RFC 8224 §8.1), Request-URI tn 12025550777 (line 1)",
            Assert.Single(check.Mismatches));
    }

    [Fact]
    public void CheckNumbers_CallerInPAssertedIdentity_Matches()
    {
        var passport = Basic().Sign(_rig.Signer);
        var invite = SipInvite.Parse(Invite("From: <sip:anonymous@anonymous.invalid>;tag=1", "+P-Asserted-Identity: <tel:+1-202-555-0123>"));

        Assert.True(SipGateway.CheckNumbers(invite, [passport]).IsMatch);
    }

    [Fact]
    public void CheckNumbers_RetargetedCall_ExemptsTheDivertedOriginalAndMatchesTheRequestUri()
    {
        var original = Basic().Sign(_rig.Signer);
        var newTarget = TelephoneNumber.ParseCanonical("12025550150");
        var div = PassportBuilder.ForDiversion(original, PassportIdentity.FromTn(Dest)).WithX5u(X5u).AddDest(newTarget).Sign(_rig.Signer);
        var invite = SipInvite.Parse(Invite(Headers(), requestLine: "INVITE sip:+12025550150@gw.example.net;user=phone SIP/2.0"));

        Assert.True(SipGateway.CheckNumbers(invite, [original, div]).IsMatch);

        // Without the div PASSporT the original is not about the new target... but To still shows its dest.
        Assert.True(SipGateway.CheckNumbers(invite, [original]).IsMatch);

        // The div PASSporT alone would claim a target To and the Request-URI do not show when retargeted elsewhere.
        var elsewhere = SipInvite.Parse(Invite(Headers(), requestLine: "INVITE sip:+12025550888@gw.example.net;user=phone SIP/2.0"));
        Assert.Equal(
            "PASSporT #2: \"dest\" (tn 12025550150) holds neither callee the request shows: To tn 12025550199 (line 4), Request-URI tn 12025550888 (line 1)",
            Assert.Single(SipGateway.CheckNumbers(elsewhere, [original, div]).Mismatches));
    }

    [Fact]
    public void TryGetIdentityHeader_WithX5u_GivesTheFullFormWithInfoAlgAndPpt()
    {
        var shaken = Shaken();

        Assert.True(SipGateway.TryGetIdentityHeader(shaken, out var value, out _));
        Assert.Equal($"{shaken.Token};info=<{X5u}>;alg=ES256;ppt=shaken", value);
    }

    [Fact]
    public void Insert_X5cOnlyPassport_IsSkippedWithTheReason()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=x5c only", ecdsa, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var x5cOnly = new PassportBuilder().WithX5c([cert]).WithOrig(Orig).AddDest(Dest).Sign(_rig.Signer);
        var baseline = Baseline();

        var result = SipGateway.Insert(SipInvite.Parse(Invite()), [x5cOnly, baseline]);

        var skipped = Assert.Single(result.Skipped);
        Assert.Equal("PASSporT #1: has x5c but no x5u: RFC 8224 §4 requires ;info=<URI> and §4.1 requires x5u to equal it, so it cannot be carried in an Identity header field (out of band only)", skipped.ToString());
        Assert.Equal([baseline.ToIdentityHeader()], result.IdentityValues);
        Assert.Equal([baseline.ToIdentityHeader()], result.Invite.IdentityHeaders.Select(f => f.Value));
        Assert.False(SipGateway.TryGetIdentityHeader(x5cOnly, out _, out _));
    }

    [Fact]
    public void Insert_PassportsTheTemplateCarries_AreNotRepeated()
    {
        var baseline = Baseline();
        var shaken = Shaken();
        var template = SipInvite.Parse(WithIdentity(baseline.ToIdentityHeader(compact: true)));

        var result = SipGateway.Insert(template, [baseline, shaken, shaken]);

        Assert.Equal([shaken.ToIdentityHeader()], result.IdentityValues);
        Assert.Equal([baseline.ToIdentityHeader(compact: true), shaken.ToIdentityHeader()], result.Invite.IdentityHeaders.Select(f => f.Value));
        Assert.True(result.NumberCheck.IsMatch, result.NumberCheck.ToString());
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void Insert_KeepsEveryOtherFieldAndTheBodyAsReceived()
    {
        var text = Invite(Headers("From: \"Alice\"\n  <sip:+12025550123@example.com;user=phone>;tag=1", "+Content-Type: application/sdp", "+X-Odd:   spaced   value  "), Sdp, eol: "\n");
        var template = SipInvite.Parse(text);

        var result = SipGateway.Insert(template, [Shaken()]);

        var written = Encoding.UTF8.GetString(result.Invite.ToBytes());
        var expected = text.Replace("\n", "\r\n", StringComparison.Ordinal)[..text.Replace("\n", "\r\n", StringComparison.Ordinal).IndexOf("\r\n\r\n", StringComparison.Ordinal)]
            + "\r\nIdentity: " + result.IdentityValues[0] + "\r\n\r\n" + Sdp;
        Assert.Equal(expected, written);
        Assert.Equal(template.Body.ToArray(), result.Invite.Body.ToArray());
    }

    [Fact]
    public void Insert_NewInviteOverTheTemplatesCaps_ThrowsSipFormatException()
    {
        var template = SipInvite.Parse(Invite(), new SipParseLimits { MaxMessageBytes = 1024 });

        var error = Assert.Throws<SipFormatException>(() => SipGateway.Insert(template, [Shaken(), Baseline()]));

        Assert.StartsWith("the message is ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" bytes (limit 1024)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x\r\nFrom: <sip:evil@example.com>")]
    [InlineData("x\nVia: SIP/2.0/UDP evil")]
    [InlineData("x\0")]
    [InlineData("   ")]
    public void WithIdentityHeaders_ValueThatWouldForgeFields_ThrowsArgumentException(string value)
        => Assert.Throws<ArgumentException>(() => SipInvite.Parse(Invite()).WithIdentityHeaders([value]));

    [Fact]
    public void LiftInsertLift_EveryKindOfPassport_GivesTheSameSet()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=chain", ecdsa, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var baseline = Baseline();
        var shaken = Shaken();
        var withChain = Basic().WithX5c([cert]).WithShaken("B", OrigId).Sign(_rig.Signer);
        var div = PassportBuilder.ForDiversion(shaken, PassportIdentity.FromTn(Dest)).WithX5u(X5u).AddDest(TelephoneNumber.ParseCanonical("12025550150")).Sign(_rig.Signer);
        var divO = PassportBuilder.ForDiversion(baseline, PassportIdentity.FromTn(Dest), nestOriginal: true).WithX5u(X5u).AddDest(TelephoneNumber.ParseCanonical("12025550150")).Sign(_rig.Signer);
        var compact = Basic().WithIat(Now - 30).Sign(_rig.Signer);
        var incoming = SipInvite.Parse(Invite(Headers(
            "Date: Fri, 15 Jan 2027 07:59:30 GMT",
            "+Identity: " + baseline.ToIdentityHeader(),
            "+y: " + shaken.ToIdentityHeader(),
            "+identity: " + withChain.ToIdentityHeader(),
            "+Identity: " + div.ToIdentityHeader(),
            "+Identity: " + divO.ToIdentityHeader(),
            "+Identity: " + compact.ToIdentityHeader(compact: true))));

        var first = SipGateway.Lift(incoming);
        Assert.Empty(first.Problems);
        var inserted = SipGateway.Insert(SipInvite.Parse(Invite("-Date")), first.Passports);
        var second = SipGateway.Lift(SipInvite.Parse(inserted.Invite.ToBytes()));

        Assert.Equal(6, first.Passports.Count);
        Assert.Equal([baseline.Token, shaken.Token, withChain.Token, div.Token, divO.Token, compact.Token], first.Passports.Select(p => p.Token));
        Assert.Equal(first.Passports.Select(p => p.Token), second.Passports.Select(p => p.Token));
        Assert.Empty(second.Problems);
        Assert.Empty(inserted.Skipped);
    }
}
