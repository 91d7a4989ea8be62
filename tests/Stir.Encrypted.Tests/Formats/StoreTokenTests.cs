using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>The storer token of spec/protocol.md §8 "Storer authentication": round trip, tamper, truncation, oversize, malformed inputs.</summary>
public sealed class StoreTokenTests : IDisposable
{
    private const string Audience = "https://cps.example.net/";
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 10, 0, TimeSpan.Zero);
    private static readonly Guid Jti = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    private readonly DevelopmentPki _pki = DevelopmentPki.Create(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now));
    private readonly DevelopmentCredential _storer;
    private readonly PassportSigningKey _key;
    private readonly CpsStorerCredential _credential;
    private readonly byte[] _body = Encoding.ASCII.GetBytes("the body of one store");

    public StoreTokenTests()
    {
        _storer = _pki.IssueEndEntity("storer", new TNAuthList([new TNEntry.One(TelephoneNumber.ParseE164("+12025550143"))]), TimeSpan.FromDays(1));
        _key = PassportSigningKey.FromECDsa(_storer.PrivateKey);
        _credential = new CpsStorerCredential(_key, _storer.Chain);
    }

    [Fact]
    public void Create_ThenParse_RoundTripsEveryClaim_AndTheSignatureVerifies()
    {
        var token = StoreToken.Create(_credential, Audience, _body, Now, Jti);

        var parsed = StoreToken.Parse(token);

        Assert.Equal(Audience, parsed.Aud);
        Assert.Equal(SHA256.HashData(_body), parsed.Bdh);
        Assert.Equal(Now.ToUnixTimeSeconds(), parsed.Iat);
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", parsed.Jti);
        Assert.Equal(_storer.Chain.Select(c => Convert.ToBase64String(c.RawData)), parsed.X5c);
        using var publicKey = _storer.Certificate.GetECDsaPublicKey()!;
        Assert.True(parsed.VerifySignature(publicKey));
        var header = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token.Split('.')[0])));
        Assert.StartsWith("{\"alg\":\"ES256\",\"typ\":\"stir-cps-store+jwt\",\"x5c\":[", header, StringComparison.Ordinal);
        var claims = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token.Split('.')[1])));
        Assert.Equal($"{{\"aud\":\"{Audience}\",\"bdh\":\"{Base64Url(SHA256.HashData(_body))}\",\"iat\":{Now.ToUnixTimeSeconds()},\"jti\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}}", claims);
        Assert.DoesNotContain("2025550143", claims, StringComparison.Ordinal);
    }

    [Fact]
    public void Tamper_AnyCharacter_FailsToParseOrToVerify()
    {
        var token = StoreToken.Create(_credential, Audience, _body, Now, Jti);
        using var publicKey = _storer.Certificate.GetECDsaPublicKey()!;
        // Every character of the claims and signature, and a stride through the (long) header.
        var claimsStart = token.IndexOf('.', StringComparison.Ordinal);
        for (var i = 0; i < token.Length; i += i < claimsStart ? 97 : 1)
        {
            if (token[i] == '.')
            {
                continue;
            }

            var tampered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            try
            {
                var parsed = StoreToken.Parse(tampered);
                Assert.False(parsed.VerifySignature(publicKey) && parsed.X5c.SequenceEqual(StoreToken.Parse(token).X5c), $"a change at {i} still verifies");
            }
            catch (StoreTokenFormatException)
            {
                // Refused by the parser: fine.
            }
        }
    }

    [Fact]
    public void Truncation_AtAnyDot_OrOneCharacterShort_IsRefused()
    {
        var token = StoreToken.Create(_credential, Audience, _body, Now, Jti);

        Assert.Throws<StoreTokenFormatException>(() => StoreToken.Parse(token[..token.LastIndexOf('.')]));
        Assert.Throws<StoreTokenFormatException>(() => StoreToken.Parse(token[..token.IndexOf('.', StringComparison.Ordinal)]));
        Assert.Throws<StoreTokenFormatException>(() => StoreToken.Parse(token[..^1]));
    }

    [Fact]
    public void Oversize_Token_IsRefusedBeforeDecoding()
    {
        var error = Assert.Throws<StoreTokenFormatException>(() => StoreToken.Parse(new string('a', StoreToken.MaxTokenLength + 1)));

        Assert.Equal("token", error.Field);
        Assert.Contains("exceed the limit", error.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> Malformed() => new()
    {
        // header JSON, claims JSON ({x5c} and {bdh} filled in) → field, words of the reason
        { "{\"alg\":\"ES256\",\"typ\":\"stir-cps-store+jwt\"}", Claims(), "header.x5c", "missing" },
        { "{\"alg\":\"ES256\",\"kid\":\"1\",\"typ\":\"stir-cps-store+jwt\",\"x5c\":{x5c}}", Claims(), "header.kid", "not allowed" },
        { "{\"alg\":\"none\",\"typ\":\"stir-cps-store+jwt\",\"x5c\":{x5c}}", Claims(), "header.alg", "is not \"ES256\"" },
        { "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5c\":{x5c}}", Claims(), "header.typ", "is not \"stir-cps-store+jwt\"" },
        { "{\"alg\":\"ES256\",\"typ\":\"stir-cps-store+jwt\",\"x5c\":[]}", Claims(), "header.x5c", "array of 1 to" },
        { "{\"alg\":\"ES256\",\"typ\":\"stir-cps-store+jwt\",\"x5c\":[1]}", Claims(), "header.x5c[0]", "base64 string" },
        { "{\"typ\":\"stir-cps-store+jwt\",\"alg\":\"ES256\",\"x5c\":{x5c}}", Claims(), "header", "canonical JSON" },
        { Header(), "{\"aud\":\"https://cps.example.net/\",\"bdh\":\"{bdh}\",\"iat\":1893456600}", "claims.jti", "missing" },
        { Header(), Claims().Replace("\"iat\"", "\"dest\":\"+12025550101\",\"iat\"", StringComparison.Ordinal), "claims.dest", "not allowed" },
        { Header(), Claims().Replace("\"https://cps.example.net/\"", "\"\"", StringComparison.Ordinal), "claims.aud", "CPS base URL" },
        { Header(), Claims().Replace("\"{bdh}\"", "\"AAAA\"", StringComparison.Ordinal), "claims.bdh", "SHA-256" },
        { Header(), Claims().Replace("1893456600", "-1", StringComparison.Ordinal), "claims.iat", "non-negative integer" },
        { Header(), Claims().Replace("1893456600", "1893456600.5", StringComparison.Ordinal), "claims.iat", "non-negative integer" },
        { Header(), Claims().Replace("0f8fad5b-d9cb-469f-a165-70867728950e", "0F8FAD5B-D9CB-469F-A165-70867728950E", StringComparison.Ordinal), "claims.jti", "UUID" },
        { Header(), Claims().Replace(",\"bdh\"", ", \"bdh\"", StringComparison.Ordinal), "claims", "canonical JSON" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_MalformedToken_NamesTheFieldAndTheRule(string header, string claims, string field, string reason)
    {
        var x5c = "[" + string.Join(',', _storer.Chain.Select(c => $"\"{Convert.ToBase64String(c.RawData)}\"")) + "]";
        var bdh = Base64Url(SHA256.HashData(_body));
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header.Replace("{x5c}", x5c, StringComparison.Ordinal)))}.{Base64Url(Encoding.UTF8.GetBytes(claims.Replace("{bdh}", bdh, StringComparison.Ordinal)))}";
        var signature = _storer.PrivateKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var error = Assert.Throws<StoreTokenFormatException>(() => StoreToken.Parse($"{signingInput}.{Base64Url(signature)}"));

        Assert.Equal(field, error.Field);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Credential_WithAKeyThatIsNotTheCertificates_IsMisuse()
    {
        using var other = PassportSigningKey.Generate();

        Assert.Throws<ArgumentException>(() => new CpsStorerCredential(other, _storer.Chain));
        Assert.Throws<ArgumentException>(() => new CpsStorerCredential(_key, []));
        Assert.DoesNotContain("PRIVATE", _credential.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _key.Dispose();
        _storer.Dispose();
        _pki.Dispose();
    }

    private static string Header() => "{\"alg\":\"ES256\",\"typ\":\"stir-cps-store+jwt\",\"x5c\":{x5c}}";

    private static string Claims() => "{\"aud\":\"https://cps.example.net/\",\"bdh\":\"{bdh}\",\"iat\":1893456600,\"jti\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}";

    private static string Base64Url(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Pad(string s) => s.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (s.Length % 4)) % 4);
}
