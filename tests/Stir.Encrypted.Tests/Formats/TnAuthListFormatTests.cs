using Stir.Encrypted.Certificates;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>TNAuthList DER (RFC 8226 §9): round trip, tamper, truncation, oversize and a table of malformed inputs.</summary>
public sealed class TnAuthListFormatTests
{
    private static readonly byte[] Mixed = CertTestPki.List("spc:709J", "range:12025550100+100", "one:*67#", "one:12025550123").Encode();

    [Fact]
    public void RoundTrip_RandomLists_DecodeToTheSameListAndReencodeToTheSameBytes()
    {
        var random = new Random(8226);
        for (var i = 0; i < 2000; i++)
        {
            var list = RandomList(random);

            var der = list.Encode();
            var decoded = TNAuthList.Decode(der);

            Assert.Equal(list, decoded);
            Assert.Equal(der, decoded.Encode());
        }
    }

    [Fact]
    public void FlipEachBit_GivesAPreciseErrorOrADifferentValidList()
    {
        var original = TNAuthList.Decode(Mixed);
        var decodedOther = 0;
        for (var position = 0; position < Mixed.Length; position++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var tampered = (byte[])Mixed.Clone();
                tampered[position] ^= (byte)(1 << bit);

                // Any exception other than TNAuthListFormatException fails the test here.
                if (TNAuthList.TryDecode(tampered, out var list, out var error))
                {
                    Assert.NotEqual(original, list);
                    decodedOther++;
                }
                else
                {
                    Assert.Matches(@"^(TNAuthorizationList|TNEntry #\d+)[^:]*: .+ \(at byte \d+\)$", error.Message);
                }
            }
        }

        // Flips inside the IA5 text of the SPC and the numbers give other valid lists; most flips do not.
        Assert.InRange(decodedOther, 1, Mixed.Length * 8 / 2);
    }

    [Fact]
    public void FlipEachBit_OfRandomLists_NeverEscapesTheFormatException()
    {
        var random = new Random(9060);
        for (var i = 0; i < 40; i++)
        {
            var der = RandomList(random).Encode();
            for (var position = 0; position < der.Length; position++)
            {
                var tampered = (byte[])der.Clone();
                tampered[position] ^= (byte)(1 << random.Next(8));
                TNAuthList.TryDecode(tampered, out _, out _);
            }
        }
    }

    [Fact]
    public void EveryTruncation_IsRejected()
    {
        for (var length = 0; length < Mixed.Length; length++)
        {
            Assert.False(TNAuthList.TryDecode(Mixed.AsSpan(0, length), out _, out var error), $"prefix of {length} bytes decoded");
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void LargeList_OfTenThousandEntries_RoundTrips()
    {
        var list = new TNAuthList(Enumerable.Range(0, 10_000).Select(i => (TNEntry)new TNEntry.One(TelephoneNumber.ParseCanonical($"1202555{i:D4}"))));

        var der = list.Encode();

        Assert.Equal(list, TNAuthList.Decode(der));
        Assert.Equal(0x83, der[1]); // a three-byte long-form length, minimal
    }

    [Theory]
    [InlineData("", "TNAuthorizationList: no bytes")]
    [InlineData("30", "TNAuthorizationList: truncated: a tag and a length need 2 bytes, 1 left")]
    [InlineData("3085ffffffffff", "TNAuthorizationList: length field of 5 bytes is too long")]
    [InlineData("3084", "TNAuthorizationList: truncated: the length needs 4 more bytes, 0 left")]
    [InlineData("3084ffffff00", "TNAuthorizationList: truncated: value needs 4294967040 bytes, 0 left")]
    [InlineData("308200080a0616043730394a", "non-minimal length encoding: leading zero byte")]
    [InlineData("3002a000", "TNEntry #1 spc: explicit tag is empty")]
    [InlineData("3008a006160137160137", "TNEntry #1 spc: 3 byte(s) after the IA5String inside the explicit tag")]
    [InlineData("3008a006360416023739", "TNEntry #1 spc: expected IA5String (0x16), got tag 0x36 (a constructed IA5String is BER, not DER)")]
    [InlineData("3008a2051603313233a0", "TNEntry #2: truncated: a tag and a length need 2 bytes, 1 left")]
    [InlineData("3007a1051603313233", "TNEntry #1 range: expected TelephoneNumberRange SEQUENCE (0x30) inside the explicit tag, got tag 0x16")]
    [InlineData("3004a1023000", "TNEntry #1 range.start: missing (the SEQUENCE is empty)")]
    [InlineData("3009a10730051603313233", "TNEntry #1 range.count: missing (the SEQUENCE ends after start)")]
    [InlineData("300ca10a3008160331323304010a", "TNEntry #1 range.count: expected INTEGER (0x02), got tag 0x04")]
    [InlineData("300aa1083006160331323302", "TNEntry #1 range.count: truncated: a tag and a length need 2 bytes, 1 left")]
    [InlineData("300ca10a30081603313233020100", "TNEntry #1 range.count: 0 violates INTEGER (2..MAX)")]
    [InlineData("300ba109300716033132330200", "TNEntry #1 range.count: INTEGER with no content octets")]
    [InlineData("3014a112301016033132330209010000000000000000", "TNEntry #1 range.count: exceeds 2^63-1")]
    [InlineData("3014a112301016033132330209ff8000000000000000", "TNEntry #1 range.count: non-minimal INTEGER")]
    [InlineData("300fa10d300b160331323302020100ff80", "TNEntry #1 range extension addition: not a DER element")]
    [InlineData("300ca10a30081603a1b2c3020105", "TNEntry #1 range.start: non-ASCII byte 0xa1 in IA5String")]
    [InlineData("3008a20616043132612a", "TNEntry #1 one: TelephoneNumber '12a*' violates SIZE(1..15)")]
    [InlineData("3007a205160331320a", "TNEntry #1 one: TelephoneNumber '12\\u000a' violates")]
    [InlineData("3006800437303941", "unexpected tag 0x80 (expected A0/A1/A2 explicit tags: [0] spc, [1] range, [2] one; a primitive context tag is the IMPLICIT-tag mistake")]
    [InlineData("3008bf1f051603313233", "TNEntry #1: unexpected tag 0xbf")]
    [InlineData("3100", "TNAuthorizationList: expected SEQUENCE (0x30), got 0x31")]
    public void Decode_Malformed_NamesTheElementAndRule(string hex, string expected)
    {
        var der = Convert.FromHexString(hex);

        var ex = Assert.Throws<TNAuthListFormatException>(() => TNAuthList.Decode(der));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RangeExtensionAddition_IsSkippedButMustBeDer()
    {
        // start "123", count 256, then an unknown BOOLEAN TRUE: accepted per the module's '...'.
        var list = TNAuthList.Decode(Convert.FromHexString("3010a10e300c1603313233020201000101ff"));

        Assert.Equal("range 123+256", Assert.Single(list.Entries).ToString());
    }

    [Fact]
    public void SpcWithControlCharacters_DecodesAndIsQuotedInFindings()
    {
        var list = TNAuthList.Decode(CertTestPki.List("spc:a'\n").Encode());

        Assert.Equal("ATIS-1000080: SPC 'a\\'\\u000a' not [A-Z0-9]+", Assert.Single(list.GetAtisFindings()));
    }

    [Fact]
    public void Constructor_WithNoEntries_IsProgrammerMisuse()
    {
        Assert.Throws<ArgumentException>(() => new TNAuthList([]));
    }

    [Fact]
    public void FromCertificate_WithTwoTNAuthListExtensions_IsRejected()
    {
        // CertificateRequest refuses a second extension with one OID, so issue one under id-pe 99 and
        // rename it to id-pe 26 (the signature breaks, which FromCertificate does not look at).
        using var pki = DevelopmentPki.Create(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(CertTestPki.T0));
        var other = new System.Security.Cryptography.X509Certificates.X509Extension("1.3.6.1.5.5.7.1.99", CertTestPki.List("spc:BAD1").Encode(), false);
        using var ee = pki.Intermediate.IssueEndEntity("twice", CertTestPki.List("spc:709J"), TimeSpan.FromDays(1), [other]);
        var der = ee.Certificate.RawData;
        var oid99 = Convert.FromHexString("06082b0601050507016304");
        var at = der.AsSpan().IndexOf(oid99);
        Assert.True(at > 0);
        der[at + 9] = 0x1a;
        using var twice = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(der);

        var ex = Assert.Throws<TNAuthListFormatException>(() => TNAuthList.FromCertificate(twice));

        Assert.Contains("appears twice", ex.Message, StringComparison.Ordinal);
    }

    internal static TNAuthList RandomList(Random random)
    {
        var entries = new List<TNEntry>();
        var count = random.Next(1, 9);
        for (var i = 0; i < count; i++)
        {
            entries.Add(random.Next(3) switch
            {
                0 => new TNEntry.Spc(new ServiceProviderCode(RandomText(random, random.Next(0, 21), c => c <= 0x7F, 0x80))),
                1 => new TNEntry.One(TelephoneNumber.ParseCanonical(RandomText(random, random.Next(1, 16), _ => true, 0, "0123456789#*"))),
                _ => new TNEntry.Range(new TelephoneNumberRange(
                    TelephoneNumber.ParseCanonical(RandomText(random, random.Next(1, 16), _ => true, 0, "0123456789")),
                    random.Next(4) == 0 ? random.NextInt64(2, long.MaxValue) : random.Next(2, 100_000))),
            });
        }

        return new TNAuthList(entries);
    }

    private static string RandomText(Random random, int length, Func<char, bool> allowed, int range, string? alphabet = null)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            char c;
            do
            {
                c = alphabet is null ? (char)random.Next(range) : alphabet[random.Next(alphabet.Length)];
            }
            while (!allowed(c));
            chars[i] = c;
        }

        return new string(chars);
    }
}
