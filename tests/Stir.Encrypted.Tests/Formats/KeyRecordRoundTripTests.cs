using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>Key records and revocations survive sign → token → parse with every claim intact, in one byte form.</summary>
public sealed class KeyRecordRoundTripTests : IDisposable
{
    private readonly KeyRecordPki _pki = new();

    [Fact]
    public void Sign_ThenParse_GivesBackEveryClaim()
    {
        var holder = _pki.Issue("carrier", "range:12025550000+10000");
        var key = KeyRecordPki.NewHpkeKey();
        var now = _pki.Time.GetUtcNow();

        var signed = holder.Signer.Sign(new KeyRecordContent
        {
            Rid = "pbx-1.main_A",
            Seq = 7,
            PublicKey = key,
            Numbers = [KeyRecordPki.Tn("12025550123"), KeyRecordPki.Tn("12025550124")],
            Ranges = [KeyRecordPki.Range("12025550200+100")],
            Role = KeyRecordRole.Enterprise,
            NotBefore = now.AddMinutes(1),
            Expires = now.AddDays(30),
        });
        var parsed = KeyRecord.Parse(signed.Token);

        Assert.Equal(KeyRecordKind.Record, parsed.Kind);
        Assert.Equal(holder.Id, parsed.Holder);
        Assert.Equal(KeyRecordHolder.Of(holder.Credential.Certificate), parsed.Holder);
        Assert.Equal("pbx-1.main_A", parsed.Rid);
        Assert.Equal(7, parsed.Seq);
        Assert.Equal(now.ToUnixTimeSeconds(), parsed.IssuedAt.ToUnixTimeSeconds());
        Assert.Equal(now.AddMinutes(1).ToUnixTimeSeconds(), parsed.NotBefore!.Value.ToUnixTimeSeconds());
        Assert.Equal(now.AddDays(30).ToUnixTimeSeconds(), parsed.Expires!.Value.ToUnixTimeSeconds());
        Assert.Equal("x25519-sha256-chacha20poly1305", parsed.Suite);
        Assert.Equal(key.Export(), parsed.PublicKey.ToArray());
        Assert.Equal(["12025550123", "12025550124"], parsed.Numbers.Select(n => n.Value));
        Assert.Equal([KeyRecordPki.Range("12025550200+100")], parsed.Ranges);
        Assert.Equal(KeyRecordRole.Enterprise, parsed.Role);
        Assert.Equal(holder.Chain.Select(c => c.RawData), parsed.Chain.Select(c => c.ToArray()));
        Assert.Equal(signed.Hash, parsed.Hash);
    }

    [Fact]
    public void Sign_WritesTheSpecHeaderAndCanonicalClaims()
    {
        var holder = _pki.Issue("carrier", "one:12025550123");
        using var fixedKey = HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, new byte[32]);

        var record = holder.Record("r1", 1, ["12025550123"], days: 1, key: fixedKey.PublicKey, role: KeyRecordRole.User);
        var parts = record.Token.Split('.');

        Assert.Equal(holder.HeaderJson, System.Text.Encoding.UTF8.GetString(Base64Url(parts[0])));
        var t0 = KeyRecordPki.T0.ToUnixTimeSeconds();
        var pk = StrictBase64.EncodeUrl(fixedKey.PublicKey.Export());
        Assert.Equal(
            $"{{\"exp\":{t0 + 86400},\"hpke\":{{\"pk\":\"{pk}\",\"suite\":\"x25519-sha256-chacha20poly1305\"}},\"iat\":{t0},\"nbf\":{t0},\"rid\":\"r1\",\"role\":\"user\",\"seq\":1,\"tn\":[\"12025550123\"]}}",
            System.Text.Encoding.UTF8.GetString(Base64Url(parts[1])));
    }

    [Fact]
    public void Revoke_ThenParse_IsARevocationWithExactlyFourClaims()
    {
        var holder = _pki.Issue("carrier", "one:12025550123");

        var revocation = KeyRecord.Parse(holder.Revocation("r1", 9).Token);

        Assert.Equal(KeyRecordKind.Revocation, revocation.Kind);
        Assert.Equal(("r1", 9L), (revocation.Rid, revocation.Seq));
        Assert.Equal(holder.Id, revocation.Holder);
        Assert.Null(revocation.Suite);
        Assert.True(revocation.PublicKey.IsEmpty);
        Assert.Empty(revocation.Numbers);
        Assert.Null(revocation.Expires);
        var claims = System.Text.Encoding.UTF8.GetString(Base64Url(revocation.Token.Split('.')[1]));
        Assert.Equal($"{{\"iat\":{KeyRecordPki.T0.ToUnixTimeSeconds()},\"rev\":true,\"rid\":\"r1\",\"seq\":9}}", claims);
    }

    [Fact]
    public void SeededRandomContents_RoundTripExactly()
    {
        var holder = _pki.Issue("carrier", "range:100000000+900000000");
        var random = new Random(20300101);
        for (var i = 0; i < 200; i++)
        {
            var numbers = Enumerable.Range(0, random.Next(0, 6)).Select(_ => TelephoneNumber.ParseCanonical(random.NextInt64(100000000, 999999999).ToString(System.Globalization.CultureInfo.InvariantCulture))).Distinct().ToList();
            var ranges = Enumerable.Range(0, numbers.Count == 0 ? random.Next(1, 4) : random.Next(0, 4))
                .Select(_ => random.NextInt64(100000000, 999000000))
                .Select(start => new TelephoneNumberRange(TelephoneNumber.ParseCanonical(start.ToString(System.Globalization.CultureInfo.InvariantCulture)), random.Next(2, 1000)))
                .Distinct().ToList();
            var rid = new string([.. Enumerable.Range(0, random.Next(1, 65)).Select(_ => "ABCabc019._-"[random.Next(12)])]);
            var seq = random.NextInt64(1, KeyRecord.MaxSeq);
            KeyRecordRole? role = random.Next(5) switch { 0 => null, var r => (KeyRecordRole)(r - 1) };

            var signed = holder.Signer.Sign(new KeyRecordContent
            {
                Rid = rid, Seq = seq, PublicKey = KeyRecordPki.NewHpkeKey(), Numbers = numbers, Ranges = ranges, Role = role,
                Expires = _pki.Time.GetUtcNow().AddSeconds(random.Next(1, 10_000_000)),
            });
            var parsed = KeyRecord.Parse(signed.Token);

            Assert.Equal((rid, seq, role), (parsed.Rid, parsed.Seq, parsed.Role));
            Assert.Equal(numbers, parsed.Numbers);
            Assert.Equal(ranges, parsed.Ranges);
            Assert.Equal(signed.PublicKey.ToArray(), parsed.PublicKey.ToArray());
        }
    }

    [Fact]
    public void Signer_WithAKeyThatIsNotTheCertificates_IsMisuse()
    {
        var holder = _pki.Issue("carrier", "one:12025550123");
        using var other = Passports.PassportSigningKey.Generate();

        var e = Assert.Throws<ArgumentException>(() => new KeyRecordSigner(other, holder.Chain));

        Assert.Contains("is not the key of", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signer_ContentTheParserWouldRefuse_IsMisuseAndSignsNothing()
    {
        var holder = _pki.Issue("carrier", "one:12025550123");

        var e = Assert.Throws<ArgumentException>(() => holder.Signer.Sign(new KeyRecordContent
        {
            Rid = "has space", Seq = 1, PublicKey = KeyRecordPki.NewHpkeKey(), Numbers = [KeyRecordPki.Tn("12025550123")], Expires = KeyRecordPki.T0.AddDays(1),
        }));

        Assert.Contains("claims.rid", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => holder.Signer.Revoke("r", 0));
    }

    [Fact]
    public void ToString_NamesTheEntry_NeverANumberOrKey()
    {
        var holder = _pki.Issue("carrier", "one:12025550123");
        var record = holder.Record("r1", 3, ["12025550123"]);

        var text = record.ToString();

        Assert.StartsWith("key record rid=r1 seq=3 holder=", text, StringComparison.Ordinal);
        Assert.DoesNotContain("12025550123", text, StringComparison.Ordinal);
        Assert.DoesNotContain(StrictBase64.EncodeUrl(record.PublicKey.Span), text, StringComparison.Ordinal);
    }

    public void Dispose() => _pki.Dispose();

    private static byte[] Base64Url(string segment) => StrictBase64.TryDecodeUrl(segment, out var bytes, out _) ? bytes : throw new FormatException(segment);
}
