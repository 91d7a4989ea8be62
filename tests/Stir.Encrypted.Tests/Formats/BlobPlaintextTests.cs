using System.Text;
using Stir.Encrypted.Cps;

namespace Stir.Encrypted.Tests.Formats;

public sealed class BlobPlaintextTests
{
    private const string Jws = "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9.c2lnbmF0dXJl";

    [Fact]
    public void EncodeThenDecode_RoundTrips_ForRandomSets()
    {
        var random = new Random(6);
        for (var i = 0; i < 300; i++)
        {
            var passports = Enumerable.Range(0, random.Next(1, BlobPlaintext.MaxPassports + 1)).Select(_ => RandomJws(random)).ToList();
            var size = BlobPlaintext.PayloadLength(passports) + BlobPlaintext.HeaderSize + random.Next(0, 50);

            var decoded = BlobPlaintext.Decode(BlobPlaintext.Encode(passports, size));

            Assert.Equal(passports, decoded);
        }
    }

    [Fact]
    [Trait("Claim", "TM-03")]
    public void Encode_WritesTheSpecLayout()
    {
        var plaintext = BlobPlaintext.Encode([Jws, Jws], 256);
        var payload = $"{{\"passports\":[\"{Jws}\",\"{Jws}\"]}}";

        Assert.Equal(1, plaintext[0]);
        Assert.Equal(payload.Length, (plaintext[1] << 8) | plaintext[2]);
        Assert.Equal(payload, Encoding.ASCII.GetString(plaintext, 3, payload.Length));
        Assert.All(plaintext[(3 + payload.Length)..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Encode_TooLarge_ThrowsNamingTheSizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => BlobPlaintext.Encode([Jws], 40));

        Assert.Contains("needs 64 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at most 37", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not.a")]
    [InlineData("a..b")]
    [InlineData("a.b.c.d")]
    [InlineData("a.b.c\"")]
    [InlineData("a.b.c d")]
    public void Encode_NonCompactJws_Throws(string value)
    {
        Assert.Throws<ArgumentException>(() => BlobPlaintext.Encode([value], 256));
    }

    [Fact]
    [Trait("Claim", "TM-03")]
    public void Decode_FlippedPaddingByte_IsRejected()
    {
        var plaintext = BlobPlaintext.Encode([Jws], 256);
        plaintext[^1] = 1;

        var ex = Assert.Throws<BlobFormatException>(() => BlobPlaintext.Decode(plaintext));
        Assert.Contains("padding byte 255 is 0x01", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedPayloads() => new()
    {
        { "{\"passports\":[]}", "\"passports\" is empty" },
        { "{\"passports\":[1]}", "is not a string" },
        { "{\"passports\":[\"x\"]}", "is not a compact JWS" },
        { "{\"other\":[]}", "unexpected payload member \"other\"" },
        { $"{{\"passports\":[\"{Jws}\"],\"x\":1}}", "members after" },
        { $"{{\"passports\":[\"{Jws}\"]}} ", "bytes after" },
        { "[]", "not a JSON object" },
        { "{\"passports\":[\"a.b.c\"", "not valid JSON" },
        { "{}", "payload object is empty" },
        { $"{{ \"passports\":[\"{Jws}\"]}}", "not canonical" },
        { $"{{\"passports\":[\"{Jws}\"\n]}}", "not canonical" },
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    [Trait("Claim", "TM-58")]
    public void Decode_MalformedPayload_NamesTheRule(string payload, string reason)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        var plaintext = new byte[3 + bytes.Length + 10];
        plaintext[0] = 1;
        plaintext[1] = (byte)(bytes.Length >> 8);
        plaintext[2] = (byte)bytes.Length;
        bytes.CopyTo(plaintext, 3);

        var ex = Assert.Throws<BlobFormatException>(() => BlobPlaintext.Decode(plaintext));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_BadVersionOrLength_IsRejected()
    {
        var plaintext = BlobPlaintext.Encode([Jws], 128);
        var badVersion = (byte[])plaintext.Clone();
        badVersion[0] = 2;
        var badLength = (byte[])plaintext.Clone();
        badLength[1] = 0xff;

        Assert.Contains("version is 2", Assert.Throws<BlobFormatException>(() => BlobPlaintext.Decode(badVersion)).Message, StringComparison.Ordinal);
        Assert.Contains("exceeds", Assert.Throws<BlobFormatException>(() => BlobPlaintext.Decode(badLength)).Message, StringComparison.Ordinal);
        Assert.Throws<BlobFormatException>(() => BlobPlaintext.Decode(plaintext.AsSpan(0, 2)));
    }

    [Fact]
    public void Decode_TooManyPassports_IsRejected()
    {
        var payload = "{\"passports\":[" + string.Join(',', Enumerable.Repeat($"\"{Jws}\"", 17)) + "]}";
        var bytes = Encoding.ASCII.GetBytes(payload);
        var plaintext = new byte[3 + bytes.Length];
        plaintext[0] = 1;
        plaintext[1] = (byte)(bytes.Length >> 8);
        plaintext[2] = (byte)bytes.Length;
        bytes.CopyTo(plaintext, 3);

        Assert.Contains("more than 16", Assert.Throws<BlobFormatException>(() => BlobPlaintext.Decode(plaintext)).Message, StringComparison.Ordinal);
    }

    private static string RandomJws(Random random)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        string Part() => new([.. Enumerable.Range(0, random.Next(1, 40)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        return $"{Part()}.{Part()}.{Part()}";
    }
}
