using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stir.Encrypted.Jose;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// parse(sign(x)) = x over seeded random PASSporTs (numbers, every ppt, dest lists, div and div-o,
/// extension claims with strings that need escaping), and the canonical JSON writer's exact output.
/// </summary>
public sealed class PassportRoundTripTests
{
    private static readonly string[] Hosts = ["cert.example.net", "sti.example.org", "x5u.carrier.example"];

    private static readonly char[] Tricky =
    [
        '"', '\\', '/', '+', '<', '>', '&', '\'', '\u0000', '\u0001', '\b', '\t', '\n', '\f', '\r', '\u001f', '\u007f',
        'é', '€', '\u2028', '\u2029', '\uffff', '中', 'ß', ' ',
    ];

    [Fact]
    public void RandomPassports_ParseBackToTheSameModel_AndTheSameCanonicalBytes()
    {
        var random = new Random(8225);
        using var rig = new PassportTestKit.Rig();
        for (var round = 0; round < 300; round++)
        {
            var (builder, expectedPpt) = RandomBuilder(random, rig);
            var header = builder.BuildHeader();
            var claims = builder.BuildClaims(rig.Clock);
            var signed = rig.Signer.Sign(header, claims);

            var parsed = Passport.Parse(signed.Token);

            Assert.True(parsed.IsHeaderCanonical, $"round {round}");
            Assert.True(parsed.AreClaimsCanonical, $"round {round}");
            Assert.Equal(expectedPpt, parsed.Header.Ppt);
            Assert.Equal(header.X5u, parsed.Header.X5u);
            Assert.Equal(header.X5c.Select(c => Convert.ToHexString(c.Span)), parsed.Header.X5c.Select(c => Convert.ToHexString(c.Span)));
            Assert.Equal(claims.Iat, parsed.Claims.Iat);
            Assert.Equal(claims.Orig, parsed.Claims.Orig);
            Assert.Equal(claims.Dest.Tn, parsed.Claims.Dest.Tn);
            Assert.Equal(claims.Dest.Uri, parsed.Claims.Dest.Uri);
            Assert.Equal(claims.Attest, parsed.Claims.Attest);
            Assert.Equal(claims.OrigId, parsed.Claims.OrigId);
            Assert.Equal(claims.Div, parsed.Claims.Div);
            Assert.Equal(claims.DivHi, parsed.Claims.DivHi);
            Assert.Equal(claims.Opt, parsed.Claims.Opt);
            Assert.Equal(claims.Extensions.Keys, parsed.Claims.Extensions.Keys);
            foreach (var (name, value) in claims.Extensions)
            {
                Assert.Equal(CanonicalJsonWriter.Serialize(value), CanonicalJsonWriter.Serialize(parsed.Claims.Extensions[name]));
            }

            // serialize(parse(serialize(x))) = serialize(x), and the signature covers exactly those bytes.
            Assert.Equal(header.ToCanonicalJson(), parsed.Header.ToCanonicalJson());
            Assert.Equal(claims.ToCanonicalJson(), parsed.Claims.ToCanonicalJson());
            Assert.Equal(parsed.RawClaims.ToArray(), parsed.Claims.ToCanonicalJson());
            using var publicKey = rig.Key.ExportPublicKey();
            Assert.True(parsed.VerifySignature(publicKey));
            if (expectedPpt == PassportTypes.DivO)
            {
                Assert.Equal(parsed.Claims.Opt, parsed.Original!.Token);
            }
        }
    }

    [Fact]
    public void CanonicalWriter_EscapesOnlyQuoteBackslashAndControlCharacters()
    {
        using var doc = JsonDocument.Parse("{\"z\":1,\"a\":\"q\\\"b\\\\s/p+l<\\u00e9\\ud83d\\ude00\\u0001\\b\\t\\n\\f\\r\\u001f\\u007f\\u2028\",\"m\":[true,false,null,-12,{\"y\":0,\"b\":\"\"}]}");

        var bytes = CanonicalJsonWriter.Serialize(doc.RootElement);

        // RFC 8785 §3.2.2.2: '/', '+', '<', non-ASCII, U+007F and U+2028 as is; \b \t \n \f \r short; other controls \u00xx.
        Assert.Equal(
            "{\"a\":\"q\\\"b\\\\s/p+l<é😀\\u0001\\b\\t\\n\\f\\r\\u001f\u007f\u2028\",\"m\":[true,false,null,-12,{\"b\":\"\",\"y\":0}],\"z\":1}",
            Encoding.UTF8.GetString(bytes));
        Assert.NotEqual(Encoding.UTF8.GetString(bytes), JsonSerializer.Serialize(doc.RootElement)); // System.Text.Json escapes '+' and more
    }

    [Fact]
    public void CanonicalWriter_SortsByCodePoint_NotByUtf16Unit()
    {
        // U+FF61 sorts before U+1F600 by code point, after it by UTF-16 code unit (0xFF61 > 0xD83D).
        using var doc = JsonDocument.Parse("{\"\\ud83d\\ude00\":1,\"\\uff61\":2,\"b\":3,\"B\":4}");

        Assert.Equal("{\"B\":4,\"b\":3,\"｡\":2,\"😀\":1}", Encoding.UTF8.GetString(CanonicalJsonWriter.Serialize(doc.RootElement)));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("1E3")]
    [InlineData("-0")]
    [InlineData("1.0")]
    public void CanonicalWriter_NonIntegerNumber_IsRefused(string number)
    {
        using var doc = JsonDocument.Parse($"{{\"n\":{number}}}");

        Assert.Throws<ArgumentException>(() => CanonicalJsonWriter.Serialize(doc.RootElement));
        Assert.False(CanonicalJsonWriter.IsCanonical(Encoding.UTF8.GetBytes($"{{\"n\":{number}}}"), doc.RootElement));
    }

    [Fact]
    public void CanonicalWriter_LoneSurrogate_IsRefused()
    {
        var writer = new CanonicalJsonWriter();

        Assert.Throws<ArgumentException>(() => writer.WriteString("a\ud800b"));
    }

    [Theory]
    [InlineData("{\"b\":1,\"a\":2}")]
    [InlineData("{\"a\": 1}")]
    [InlineData("{\"a\":\"\\u002b\"}")]
    [InlineData("{\"a\":\"\\/\"}")]
    [InlineData("{\"a\":\"\\u00e9\"}")]
    [InlineData("{\"a\":\"\\u001F\"}")]
    [InlineData("{\"a\":[1, 2]}")]
    [InlineData("{\"a\":1}\n")]
    public void IsCanonical_NonCanonicalSpellings_AreDetected(string json)
    {
        using var doc = JsonDocument.Parse(json);

        Assert.False(CanonicalJsonWriter.IsCanonical(Encoding.UTF8.GetBytes(json), doc.RootElement));
    }

    [Fact]
    public void Builder_SortsDestinations_AsRfc8225Recommends()
    {
        var claims = new PassportBuilder()
            .WithX5u(PassportTestKit.X5u)
            .WithOrig(PassportTestKit.Orig)
            .AddDest(TelephoneNumber.ParseCanonical("19995551234"))
            .AddDest(TelephoneNumber.ParseCanonical("12155551213"))
            .AddDest(PassportIdentity.FromUri("sip:bob@example.net"))
            .AddDest(PassportIdentity.FromUri("sip:alice@example.com"))
            .WithIat(1443208345)
            .BuildClaims(TimeProvider.System);

        Assert.Equal(
            "{\"dest\":{\"tn\":[\"12155551213\",\"19995551234\"],\"uri\":[\"sip:alice@example.com\",\"sip:bob@example.net\"]},\"iat\":1443208345,\"orig\":{\"tn\":\"12025550123\"}}",
            Encoding.UTF8.GetString(claims.ToCanonicalJson()));
    }

    private static (PassportBuilder Builder, string? Ppt) RandomBuilder(Random random, PassportTestKit.Rig rig)
    {
        var builder = new PassportBuilder().WithIat(random.NextInt64(0, 4_000_000_000));
        if (random.Next(4) == 0)
        {
            builder.WithX5c(RandomCertificates(random));
            if (random.Next(2) == 0)
            {
                builder.WithX5u(RandomX5u(random));
            }
        }
        else
        {
            builder.WithX5u(RandomX5u(random));
        }

        var orig = random.Next(5) == 0 ? PassportIdentity.FromUri(RandomUri(random)) : PassportIdentity.FromTn(RandomNumber(random));
        builder.WithOrig(orig);
        var tnCount = random.Next(0, 4);
        var uriCount = tnCount == 0 ? random.Next(1, 3) : random.Next(0, 3);
        for (var i = 0; i < tnCount; i++)
        {
            builder.AddDest(RandomNumber(random));
        }

        for (var i = 0; i < uriCount; i++)
        {
            builder.AddDest(PassportIdentity.FromUri(RandomUri(random)));
        }

        string? ppt = null;
        switch (random.Next(4))
        {
            case 1:
                builder.WithShaken(((char)('A' + random.Next(3))).ToString(), new Guid(RandomBytes(random, 16)));
                ppt = PassportTypes.Shaken;
                break;
            case 2:
                builder.WithDiv(PassportIdentity.FromTn(RandomNumber(random)), random.Next(2) == 0 ? null : $"1.{random.Next(9)}.1");
                ppt = PassportTypes.Div;
                break;
            case 3:
                var original = PassportTestKit.Basic().WithOrig(orig).Sign(rig.Signer);
                builder.WithDivO(PassportIdentity.FromTn(PassportTestKit.Dest), original);
                ppt = PassportTypes.DivO;
                break;
            default:
                break;
        }

        for (var i = random.Next(0, 4); i > 0; i--)
        {
            var name = "x" + RandomAscii(random, random.Next(1, 8));
            builder.WithClaim(name, ToElement(RandomJson(random, depth: 0)));
        }

        return (builder, ppt);
    }

    private static JsonNode? RandomJson(Random random, int depth) => random.Next(depth > 3 ? 4 : 6) switch
    {
        0 => JsonValue.Create(RandomText(random)),
        1 => JsonValue.Create(random.NextInt64(long.MinValue, long.MaxValue)),
        2 => JsonValue.Create(random.Next(2) == 0),
        3 => null,
        4 => new JsonArray(Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomJson(random, depth + 1)).ToArray()),
        _ => RandomObject(random, depth),
    };

    private static JsonObject RandomObject(Random random, int depth)
    {
        var obj = new JsonObject();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            obj[RandomText(random)] = RandomJson(random, depth + 1);
        }

        return obj;
    }

    private static JsonElement ToElement(JsonNode? node)
    {
        using var doc = JsonDocument.Parse(node?.ToJsonString() ?? "null");
        return doc.RootElement.Clone();
    }

    private static string RandomText(Random random)
    {
        var sb = new StringBuilder();
        for (var i = random.Next(0, 12); i > 0; i--)
        {
            switch (random.Next(4))
            {
                case 0:
                    sb.Append(Tricky[random.Next(Tricky.Length)]);
                    break;
                case 1:
                    sb.Append(char.ConvertFromUtf32(random.Next(0x1F300, 0x1F64F))); // a surrogate pair
                    break;
                default:
                    sb.Append((char)random.Next(0x20, 0x7F));
                    break;
            }
        }

        return sb.ToString();
    }

    private static TelephoneNumber RandomNumber(Random random)
    {
        var length = random.Next(1, TelephoneNumber.MaxLength + 1);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.Next(20) == 0 ? "#*"[random.Next(2)] : (char)('0' + random.Next(10));
        }

        return TelephoneNumber.ParseCanonical(new string(chars));
    }

    private static string RandomUri(Random random)
        => $"sip:{RandomAscii(random, random.Next(1, 10)).ToLowerInvariant()}@{Hosts[random.Next(Hosts.Length)]}";

    private static string RandomX5u(Random random)
        => $"https://{Hosts[random.Next(Hosts.Length)]}/{RandomAscii(random, random.Next(1, 12))}.pem";

    private static IEnumerable<System.Security.Cryptography.X509Certificates.X509Certificate2> RandomCertificates(Random random)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            $"CN={RandomAscii(random, 8)}", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var notBefore = DateTimeOffset.FromUnixTimeSeconds(PassportTestKit.Now);
        return Enumerable.Range(0, random.Next(1, 3)).Select(_ => request.CreateSelfSigned(notBefore, notBefore.AddDays(30))).ToList();
    }

    private static string RandomAscii(Random random, int length)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return new string(Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
