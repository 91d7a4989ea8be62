using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps.Tests.Storage;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Api;

/// <summary>
/// Storer authentication (spec/protocol.md §8): with <c>Cps:StoreAuthentication:Mode=required</c> a store is
/// accepted only with a valid store token for its exact body; every failure is 401 with a Bearer challenge and
/// stores nothing; with the mode off (the default) the header is not read.
/// </summary>
public sealed class StoreAuthenticationTests : IDisposable
{
    private const string Audience = "http://localhost/";
    private const string StorerNumber = "+12025550143";
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);

    private readonly TemporaryDirectory _directory = new();
    private readonly CpsFactory _factory;
    private readonly HttpClient _http;
    private readonly DevelopmentPki _pki;
    private readonly DevelopmentCredential _storer;

    public StoreAuthenticationTests()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(CpsFactory.DefaultStart);
        _pki = DevelopmentPki.Create(time);
        _storer = _pki.IssueEndEntity("storer", new TNAuthList([new TNEntry.One(TelephoneNumber.ParseE164(StorerNumber))]), TimeSpan.FromDays(2));
        var anchors = Path.Combine(_directory.Path, "anchors.pem");
        File.WriteAllText(anchors, _pki.Root.Certificate.ExportCertificatePem());
        _factory = new CpsFactory(time: time, settings: new Dictionary<string, string?>
        {
            ["Cps:StoreAuthentication:Mode"] = "required",
            ["Cps:StoreAuthentication:TrustAnchors"] = anchors,
            ["Cps:StoreAuthentication:Audience"] = Audience,
        });
        _http = _factory.CreateClient();
    }

    private DateTimeOffset Now => _factory.Time.GetUtcNow();

    [Fact]
    [Trait("Claim", "TM-37")]
    public async Task Store_WithAValidToken_IsStored()
    {
        var body = RandomNumberGenerator.GetBytes(2048);

        using var response = await StoreAsync(body, StoreTokens.Make(_storer, Audience, body, Now));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(body, Assert.Single(_factory.Store.LiveBlobs(new CpsService.Storage.BucketKey(Epoch, 2048, 0x0a1b))).Content.ToArray());
    }

    [Fact]
    [Trait("Claim", "TM-37")]
    public async Task CpsClient_WithAStorerCredential_SignsEachStore_AndTheConfigurationSaysRequired()
    {
        using var key = PassportSigningKey.FromECDsa(_storer.PrivateKey);
        var client = new CpsClient(_http, new Uri(Audience), new CpsClientOptions
        {
            StorerCredential = new CpsStorerCredential(key, _storer.Chain),
            TimeProvider = _factory.Time,
            MinimumMemoryKiB = IndexParameters.DefaultMemoryKiB,
        });
        var config = await client.GetConfigurationAsync();
        var index = BlobIndexFor(config);

        await client.StoreAsync(index, [RandomNumberGenerator.GetBytes(2048)]);
        await client.StoreAsync(index, [RandomNumberGenerator.GetBytes(2048)]);

        Assert.True(config.StoreAuthenticationRequired);
        Assert.Equal(2, _factory.Store.Appends);
        var anonymous = new CpsClient(_http, new Uri(Audience), new CpsClientOptions { TimeProvider = _factory.Time });
        var refused = await Assert.ThrowsAsync<CpsProblemException>(() => anonymous.StoreAsync(index, [RandomNumberGenerator.GetBytes(2048)]));
        Assert.Equal(("unauthorized", 401), (refused.Type, refused.Status));
        Assert.Equal(2, _factory.Store.Appends);
    }

    [Fact]
    [Trait("Claim", "TM-37")]
    public async Task Store_WithoutAuthorization_Answers401WithABareBearerChallenge_AndStoresNothing()
    {
        using var response = await StoreAsync(RandomNumberGenerator.GetBytes(2048), token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Equal("unauthorized", (await response.ProblemAsync()).ProblemName());
        Assert.Equal(0, _factory.Store.Appends);
    }

    public static TheoryData<string, string> Failures() => new()
    {
        // case → the words the challenge's error_description must contain
        { "not-bearer", "exactly one Bearer credential" },
        { "garbage", "malformed token: token" },
        { "typ-jwt", "malformed token: header.typ" },
        { "alg-es384", "malformed token: header.alg" },
        { "extra-header-member", "malformed token: header.kid" },
        { "extra-claim", "malformed token: claims.orig" },
        { "non-canonical-claims", "malformed token: claims: not in canonical JSON form" },
        { "jti-not-uuid", "malformed token: claims.jti" },
        { "unknown-issuer", "the x5c chain is not accepted (MissingIntermediate)" },
        { "untrusted-root", "the x5c chain is not accepted (UntrustedRoot)" },
        { "expired-certificate", "the x5c chain is not accepted (Expired)" },
        { "bad-signature", "the signature does not verify" },
        { "signed-by-another-key", "the signature does not verify" },
        { "wrong-aud", "aud does not name this CPS" },
        { "iat-too-old", "iat is 61 s old (limit 60 s)" },
        { "iat-in-future", "iat is 61 s in the future (limit 60 s)" },
        { "bdh-of-another-body", "bdh is not the SHA-256 of this request's body" },
        { "body-swapped-after-signing", "bdh is not the SHA-256 of this request's body" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    [Trait("Claim", "TM-37")]
    public async Task Store_WithAnInvalidToken_Answers401InvalidToken_AndStoresNothing(string failure, string description)
    {
        var body = RandomNumberGenerator.GetBytes(2048);
        var now = Now.ToUnixTimeSeconds();
        using var otherPki = DevelopmentPki.Create(_factory.Time);
        using var stranger = otherPki.IssueEndEntity("stranger", new TNAuthList([new TNEntry.One(TelephoneNumber.ParseE164(StorerNumber))]), TimeSpan.FromDays(2));
        using var shortLived = _pki.IssueEndEntity("short-lived", new TNAuthList([new TNEntry.One(TelephoneNumber.ParseE164(StorerNumber))]), TimeSpan.FromHours(1));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = StoreTokens.Header(_storer);
        var claims = StoreTokens.Claims(Audience, body, now);
        var sent = body;
        string? authorization = null;
        switch (failure)
        {
            case "not-bearer": authorization = "Basic c3RvcmVyOnB3"; break;
            case "garbage": authorization = "Bearer not-a-jws"; break;
            case "typ-jwt": header = StoreTokens.Header(_storer, typ: "JWT"); break;
            case "alg-es384": header = StoreTokens.Header(_storer, alg: "ES384"); break;
            case "extra-header-member": header = header.Replace("{\"alg\"", "{\"kid\":\"k\",\"alg\"", StringComparison.Ordinal); break;
            case "extra-claim": claims = claims.Replace("\"jti\"", "\"orig\":\"12025550143\",\"jti\"", StringComparison.Ordinal); break;
            case "non-canonical-claims": claims = claims.Replace(",\"bdh\"", ", \"bdh\"", StringComparison.Ordinal); break;
            case "jti-not-uuid": claims = StoreTokens.Claims(Audience, body, now, jti: "replay-me"); break;
            case "unknown-issuer": header = StoreTokens.Header(stranger); break;
            case "untrusted-root": header = StoreTokens.Header([.. stranger.Chain, otherPki.Root.Certificate]); break;
            case "expired-certificate":
                header = StoreTokens.Header(shortLived);
                _factory.Time.Advance(TimeSpan.FromHours(2));
                claims = StoreTokens.Claims(Audience, body, Now.ToUnixTimeSeconds());
                break;
            case "bad-signature":
                var token = StoreTokens.Sign(_storer.PrivateKey, header, claims);
                authorization = "Bearer " + token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
                break;
            case "signed-by-another-key": authorization = "Bearer " + StoreTokens.Sign(otherKey, header, claims); break;
            case "wrong-aud": claims = StoreTokens.Claims("https://another-cps.example/", body, now); break;
            case "iat-too-old": claims = StoreTokens.Claims(Audience, body, now - 61); break;
            case "iat-in-future": claims = StoreTokens.Claims(Audience, body, now + 61); break;
            case "bdh-of-another-body": claims = StoreTokens.Claims(Audience, RandomNumberGenerator.GetBytes(2048), now); break;
            case "body-swapped-after-signing": sent = (byte[])body.Clone(); sent[1000] ^= 1; break;
            default: throw new Xunit.Sdk.XunitException($"no such case {failure}");
        }

        authorization ??= "Bearer " + StoreTokens.Sign(failure is "unknown-issuer" or "untrusted-root" ? stranger.PrivateKey : failure == "expired-certificate" ? shortLived.PrivateKey : _storer.PrivateKey, header, claims);
        using var response = await StoreAsync(sent, authorization, raw: true);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.StartsWith("error=\"invalid_token\", error_description=\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.True(challenge.Parameter!.Contains(description, StringComparison.Ordinal), challenge.Parameter);
        var problem = await response.ProblemAsync();
        Assert.Equal("unauthorized", problem.ProblemName());
        Assert.Contains(description, (string)problem["detail"]!, StringComparison.Ordinal);
        // The storer's certificate covers a number; no refusal names it.
        Assert.DoesNotContain("2025550143", challenge.Parameter, StringComparison.Ordinal);
        Assert.DoesNotContain("2025550143", problem.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, _factory.Store.Appends);
    }

    [Fact]
    [Trait("Claim", "TM-37")]
    public async Task Store_ReplayingAnAcceptedToken_Answers401_AndStoresNothingMore()
    {
        var body = RandomNumberGenerator.GetBytes(2048);
        var token = StoreTokens.Make(_storer, Audience, body, Now);

        using var first = await StoreAsync(body, token);
        _factory.Time.Advance(TimeSpan.FromSeconds(30));
        using var replay = await StoreAsync(body, token);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Contains("jti was already used within the last 120 s", Assert.Single(replay.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        Assert.Equal(1, _factory.Store.Appends);
    }

    [Fact]
    [Trait("Claim", "TM-37")]
    public async Task Store_WithModeOff_IgnoresTheAuthorizationHeader()
    {
        using var factory = new CpsFactory();
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{CpsRequests.Path(Epoch, "0a1b")}?size=2048", UriKind.Relative))
        {
            Content = Octets(RandomNumberGenerator.GetBytes(2048)),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer not-a-jws");

        using var response = await http.SendAsync(request);
        var config = JsonNode.Parse(await http.GetStringAsync(new Uri("/v1/config", UriKind.Relative)))!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("off", (string?)config["storeAuthentication"]);
    }

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
        _storer.Dispose();
        _pki.Dispose();
        _directory.Dispose();
    }

    private static ByteArrayContent Octets(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private BlobIndex BlobIndexFor(CpsConfiguration config) =>
        BlobIndex.Derive(config.Index, TelephoneNumber.ParseE164("+12025550100"), TelephoneNumber.ParseE164("+12025550101"), config.Index.EpochAt(Now));

    private async Task<HttpResponseMessage> StoreAsync(byte[] body, string? token, bool raw = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{CpsRequests.Path(CpsRequests.EpochAt(Now), "0a1b")}?size=2048", UriKind.Relative)) { Content = Octets(body) };
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", raw ? token : "Bearer " + token);
        }

        return await _http.SendAsync(request);
    }
}
