using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Spec;

/// <summary>
/// spec/protocol.md Appendix A: byte-exact worked examples, written by this test from the project's code. The
/// intermediate values are computed here from the spec's formulas with the BCL and NSec primitives directly, and
/// each example asserts that the code arrives at the same bytes, so the appendix shows the spec and the code agree.
/// </summary>
public sealed class WorkedExamplesTests
{
    internal const string Section = "appendix-a";

    internal static readonly byte[] Salt = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    internal static readonly IndexParameters Cheap = new(Salt, memoryKiB: 64, iterations: 1, bucketBits: 14, epochSeconds: 3600);
    internal static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    internal static readonly TelephoneNumber Orig = TelephoneNumber.ParseCanonical("12155551212");
    internal static readonly TelephoneNumber Dest = TelephoneNumber.ParseCanonical("12155551213");
    internal static readonly byte[] RecipientIkm = Encoding.ASCII.GetBytes("stir-encrypted worked example: recipient key");
    internal static readonly byte[] EphemeralIkm = Encoding.ASCII.GetBytes("stir-encrypted worked example: ephemeral key");
    internal static readonly SizeClass Class = new(1024, 8);

    [Fact]
    public void AppendixA_IsWhatTheCodeProducesNow()
    {
        GeneratedSpecText.AssertSection("protocol.md", Section, Appendix());
    }

    [Fact]
    public void IndexExample_BySpecFormula_EqualsBlobIndex()
    {
        using var skR = HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, RecipientIkm);
        var steps = IndexSteps.Compute(skR.PublicKey);
        var index = BlobIndex.Derive(Cheap, Orig, Dest, Cheap.EpochAt(Now), skR.PublicKey);

        Assert.Equal(steps.Tag, index.Tag.ToArray());
        Assert.Equal(steps.Bucket, index.Bucket);
        Assert.Equal(steps.DestinationKey, BlobIndex.DeriveDestinationKey(Cheap, Dest, steps.Epoch));
    }

    [Fact]
    public void BlobExample_OpensWithTheRecipientKey_ToTheExamplePassport_AndItsKeyScheduleIsTheOneShown()
    {
        using var skR = HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, RecipientIkm);
        using var skE = HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, EphemeralIkm);
        var index = BlobIndex.Derive(Cheap, Orig, Dest, Cheap.EpochAt(Now), skR.PublicKey);
        var blob = BlobSealer.Seal(Configuration(), index, [ExamplePassport()], skR.PublicKey, skE);
        var schedule = KeyScheduleOf(skR.PublicKey, skE, index.HpkeInfo());

        var opened = Assert.Single(BucketOpener.Open(index, [blob], skR));
        Assert.Equal([ExamplePassport()], opened.Passports);
        Assert.Equal(skE.PublicKey.Export(), blob[..32]);

        // The AEAD step alone, with the key and nonce the appendix shows, gives the blob's ciphertext.
        var plaintext = BlobPlaintext.Encode([ExamplePassport()], Class.PlaintextSize);
        var ct = new byte[plaintext.Length + 16];
        using (var aead = new System.Security.Cryptography.ChaCha20Poly1305(schedule.Key))
        {
            aead.Encrypt(schedule.BaseNonce, plaintext, ct.AsSpan(0, plaintext.Length), ct.AsSpan(plaintext.Length), []);
        }

        Assert.Equal(ct, blob[32..]);
    }

    [Fact]
    public void ConfigurationExample_ParsesBackToTheSameParameters()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(Configuration().ToJson());

        var parsed = CpsConfiguration.Parse(json, minimumMemoryKiB: 8, minimumIterations: 1);

        Assert.True(parsed.Index.SameFunctionAs(Cheap));
        Assert.Equal([Class], parsed.Classes);
    }

    [Fact]
    public void KeyRecordExample_ParsesBack_WithTheExampleKeyAndNumber()
    {
        using var skR = HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, RecipientIkm);
        var (record, revocation) = KeyRecords(skR.PublicKey);

        var parsed = KeyRecord.Parse(record.Token);
        Assert.Equal(skR.PublicKey.Export(), parsed.PublicKey.ToArray());
        Assert.Equal([Dest], parsed.Numbers);
        Assert.Equal(KeyRecordKind.Revocation, KeyRecord.Parse(revocation.Token).Kind);
    }

    internal static CpsConfiguration Configuration() => new(Cheap, [Class], RetentionPolicy.Default, false, 8, 5);

    /// <summary>The original PASSporT of RFC 8946 §5 (valid ES256 signature under RFC 8946 Appendix A's key).</summary>
    internal static string ExamplePassport()
    {
        using var doc = VectorFiles.ReadJson("passport/external-examples.json");
        return doc.RootElement.EnumerateArray().Single(e => e.GetProperty("id").GetString() == "rfc8946-s5-opt-inner").GetProperty("token").GetString()!;
    }

    internal static string Appendix()
    {
        using var skR = HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, RecipientIkm);
        using var skE = HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, EphemeralIkm);
        var steps = IndexSteps.Compute(skR.PublicKey);
        var config = Configuration();
        var index = BlobIndex.Derive(Cheap, Orig, Dest, steps.Epoch, skR.PublicKey);
        var passport = ExamplePassport();
        var plaintext = BlobPlaintext.Encode([passport], Class.PlaintextSize);
        var length = BinaryPrimitives.ReadUInt16BigEndian(plaintext.AsSpan(1));
        var blob = BlobSealer.Seal(config, index, [passport], skR.PublicKey, skE);
        var schedule = KeyScheduleOf(skR.PublicKey, skE, index.HpkeInfo());
        var configJson = JsonSerializer.SerializeToUtf8Bytes(config.ToJson());
        var (record, revocation) = KeyRecords(skR.PublicKey);

        var s = new StringBuilder();
        s.Append("Every value in this appendix is written by `tests/Stir.Encrypted.Tests/Spec/WorkedExamplesTests.cs` from the\n");
        s.Append("project's code; the test recomputes the intermediate values from the formulas of §4–§6 with plain SHA-256,\n");
        s.Append("HMAC, Argon2id and ChaCha20-Poly1305 and fails if the code disagrees or this text drifts. Hex is lowercase,\n");
        s.Append("wrapped at 32 bytes a line.\n\n");

        s.Append("### A.1 Telephone numbers (§2)\n\n");
        s.Append("| Input | Canonical | ENUM domain |\n| --- | --- | --- |\n");
        foreach (var input in new[] { "+1 (215) 555-1212", "tel:+1-215-555-1213", "+44 20 7946 0958" })
        {
            var n = TelephoneNumber.ParseE164(input);
            s.Append(CultureInfo.InvariantCulture, $"| `{input}` | `{n.Value}` | `{n.ToEnumDomain()}` |\n");
        }

        s.Append("\nRejected inputs and their errors:\n\n");
        foreach (var input in new[] { "+1 215 555 12a2", "12155551212", "+0 215 555 1212" })
        {
            var ok = TelephoneNumber.TryParseE164(input, out _, out var error);
            Assert.False(ok);
            s.Append(CultureInfo.InvariantCulture, $"- `{input}`: {error!.Message}\n");
        }

        s.Append("\n### A.2 Index derivation (§5)\n\n");
        s.Append(CultureInfo.InvariantCulture, $"Parameters, deliberately cheap so that the example is quick to reproduce (a version-1 client refuses\na configuration below its minimums, m = {IndexParameters.DefaultMemoryKiB} KiB and t = {IndexParameters.DefaultIterations} by default): `salt` = the 32 bytes 00 01 02 … 1f\n(`{StrictBase64.EncodeUrl(Salt)}`), `memoryKiB` = {Cheap.MemoryKiB}, `iterations` = {Cheap.Iterations}, `parallelism` = 1,\n`bucketBits` = {Cheap.BucketBits}, `epochSeconds` = {Cheap.EpochSeconds}. Call from `orig` = `{Orig.Value}` to `dest` = `{Dest.Value}` at Unix time\n{Now.ToUnixTimeSeconds()} ({Now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}). The holder's X25519 key pair is RFC 9180 §7.1.3 `DeriveKeyPair(ikm)` with\nikm = ASCII `{Encoding.ASCII.GetString(RecipientIkm)}` (only to make it reproducible; any key will do):\n\n");
        s.Append("```\n");
        Row(s, "skR", skR.Export());
        Row(s, "pkR", skR.PublicKey.Export());
        s.Append(CultureInfo.InvariantCulture, $"{"e",-15}= floor({Now.ToUnixTimeSeconds()} / {Cheap.EpochSeconds}) = {steps.Epoch}\n");
        Row(s, "salt_e input", steps.SaltInput);
        Row(s, "salt_e", steps.SaltE);
        Row(s, "password", steps.Password);
        Row(s, "K_dest_e", steps.DestinationKey);
        Row(s, "kid", steps.Kid);
        Row(s, "tag input", steps.TagInput);
        Row(s, "tag", steps.Tag);
        var top = BinaryPrimitives.ReadUInt32BigEndian(steps.Tag);
        s.Append(CultureInfo.InvariantCulture, $"{"bucket",-15}= 0x{top:x8} >> {32 - Cheap.BucketBits} = {steps.Bucket} → \"{index.BucketText}\"\n");
        s.Append("```\n\n");
        s.Append(CultureInfo.InvariantCulture, $"The caller stores with `POST /v1/epochs/{steps.Epoch}/buckets/{index.BucketText}?size={Class.Size}`; the callee retrieves\n`GET /v1/epochs/{steps.Epoch}/buckets/{index.BucketText}`.\n\n");

        s.Append("### A.3 Blob plaintext (§6)\n\n");
        s.Append(CultureInfo.InvariantCulture, $"Size class {Class.Size} bytes, so P = {Class.Size} − 32 − 16 = {Class.PlaintextSize}. The PASSporT set is one PASSporT, the original of RFC 8946 §5\n(a valid ES256 signature under RFC 8946 Appendix A's key). The payload is L = {length} bytes:\n\n");
        s.Append("```\n").Append(Encoding.ASCII.GetString(plaintext, 3, length)).Append("\n```\n\n");
        s.Append(CultureInfo.InvariantCulture, $"plaintext = `01` ‖ `{Convert.ToHexStringLower(plaintext.AsSpan(1, 2))}` (u16be L) ‖ payload ‖ {Class.PlaintextSize - 3 - length} zero bytes; SHA-256(plaintext) =\n`{Convert.ToHexStringLower(SHA256.HashData(plaintext))}`.\n\n");

        s.Append("### A.4 HPKE seal (§4)\n\n");
        s.Append("Suite DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 (`suite_id` = `HPKE` ‖ 00 20 ‖ 00 01 ‖ 00 03), base\n");
        s.Append(CultureInfo.InvariantCulture, $"mode, `aad` empty. The ephemeral key pair is fixed for the example by `DeriveKeyPair(ikmE)` with ikmE = ASCII\n`{Encoding.ASCII.GetString(EphemeralIkm)}`; a real caller draws a fresh one for every blob.\n\n");
        s.Append("```\n");
        Row(s, "info", index.HpkeInfo());
        Row(s, "skE", skE.Export());
        Row(s, "enc = pkE", skE.PublicKey.Export());
        Row(s, "shared_secret", schedule.SharedSecret);
        Row(s, "key", schedule.Key);
        Row(s, "base_nonce", schedule.BaseNonce);
        s.Append("```\n\n");

        s.Append("### A.5 The blob\n\n");
        s.Append(CultureInfo.InvariantCulture, $"blob = enc ‖ ChaCha20-Poly1305(key, base_nonce, aad = empty, plaintext), {blob.Length} bytes:\n\n");
        s.Append("```\n");
        Row(s, "blob[0..64]", blob.AsSpan(0, 64));
        Row(s, $"blob[{blob.Length - 16}..]", blob.AsSpan(blob.Length - 16));
        Row(s, "SHA-256(blob)", SHA256.HashData(blob));
        s.Append("```\n\n");

        s.Append("### A.6 CPS configuration document (§7)\n\n");
        s.Append(CultureInfo.InvariantCulture, $"With the parameters of A.2, the size class of A.3 and the default retention and limits, `GET /v1/config` serves exactly\nthese {configJson.Length} bytes (no whitespace), with `ETag: \"{StrictBase64.EncodeUrl(SHA256.HashData(configJson).AsSpan(0, 16))}\"`:\n\n");
        s.Append("```json\n").Append(Encoding.UTF8.GetString(configJson)).Append("\n```\n\n");

        s.Append("### A.7 Key record claims (§10)\n\n");
        s.Append(CultureInfo.InvariantCulture, $"A key record publishing pkR of A.2 for `{Dest.Value}`, issued at the time of A.2 for seven days. The header is\n`{{\"alg\":\"ES256\",\"typ\":\"{KeyRecord.MediaType}\",\"x5c\":[...]}}` (the chain differs per holder); the claims, canonical JSON, are\nexactly:\n\n");
        s.Append("```json\n").Append(ClaimsOf(record.Token)).Append("\n```\n\n");
        s.Append("Its revocation (rid and a higher seq) has the claims:\n\n");
        s.Append("```json\n").Append(ClaimsOf(revocation.Token)).Append("\n```\n");
        return s.ToString();
    }

    private static (KeyRecord Record, KeyRecord Revocation) KeyRecords(HpkePublicKey pkR)
    {
        var time = new FakeTimeProvider(Now);
        using var pki = DevelopmentPki.Create(time);
        using var holder = pki.IssueEndEntity("worked-example", new TNAuthList([new TNEntry.One(Dest)]), TimeSpan.FromDays(30));
        using var key = PassportSigningKey.FromECDsa(holder.PrivateKey);
        var signer = new KeyRecordSigner(key, holder.Chain, time);
        var record = signer.Sign(new KeyRecordContent
        {
            Rid = "phone-1",
            Seq = 1,
            PublicKey = pkR,
            Numbers = [Dest],
            Role = KeyRecordRole.User,
            Expires = Now.AddDays(7),
        });
        return (record, signer.Revoke("phone-1", 2));
    }

    private static string ClaimsOf(string token)
    {
        Assert.True(StrictBase64.TryDecodeUrl(token.Split('.')[1], out var claims, out _));
        return Encoding.UTF8.GetString(claims);
    }

    private static KeyScheduleValues KeyScheduleOf(HpkePublicKey pkR, HpkePrivateKey skE, byte[] info)
    {
        var suite = BlobSealer.Suite;
        var enc = new byte[32];
        var sharedSecret = new byte[32];
        var context = new byte[65];
        var secret = new byte[32];
        var key = new byte[32];
        var baseNonce = new byte[12];
        suite.KemAlgorithm.Encap(pkR.Export(), null, skE.Key, enc, sharedSecret);
        KeySchedule.Derive(suite, HpkeMode.Base, sharedSecret, info, default, default, context, secret, key, baseNonce, default);
        return new KeyScheduleValues(sharedSecret, key, baseNonce);
    }

    private static void Row(StringBuilder s, string label, ReadOnlySpan<byte> value)
    {
        var hex = Convert.ToHexStringLower(value);
        var pad = new string(' ', Math.Max(17, label.Length + 3));
        s.Append(label.PadRight(pad.Length - 2)).Append("= ");
        for (var i = 0; i < hex.Length; i += 64)
        {
            if (i > 0)
            {
                s.Append('\n').Append(pad);
            }

            s.Append(hex.AsSpan(i, Math.Min(64, hex.Length - i)));
        }

        s.Append('\n');
    }

    private sealed record KeyScheduleValues(byte[] SharedSecret, byte[] Key, byte[] BaseNonce);

    /// <summary>spec/protocol.md §5, step by step, with nothing from BlobIndex.</summary>
    private sealed record IndexSteps(ulong Epoch, byte[] SaltInput, byte[] SaltE, byte[] Password, byte[] DestinationKey, byte[] Kid, byte[] TagInput, byte[] Tag, uint Bucket)
    {
        public static IndexSteps Compute(HpkePublicKey pkR)
        {
            var epoch = (ulong)Now.ToUnixTimeSeconds() / (ulong)Cheap.EpochSeconds;
            var e = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(e, epoch);
            byte[] saltInput = [.. "stir-oob/v1/salt\0"u8, .. Salt, .. e];
            var saltE = SHA256.HashData(saltInput)[..16];
            byte[] password = [.. "stir-oob/v1/dest\0"u8, .. Encoding.ASCII.GetBytes(Dest.Value)];
            var argon2 = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters { DegreeOfParallelism = 1, MemorySize = Cheap.MemoryKiB, NumberOfPasses = Cheap.Iterations });
            var kDest = argon2.DeriveBytes(password, saltE, 32);
            var kid = SHA256.HashData(pkR.Export());
            byte[] tagInput =
            [
                .. "stir-oob/v1/tag\0"u8, (byte)Orig.Value.Length, .. Encoding.ASCII.GetBytes(Orig.Value),
                (byte)Dest.Value.Length, .. Encoding.ASCII.GetBytes(Dest.Value), .. e, .. kid,
            ];
            var tag = HMACSHA256.HashData(kDest, tagInput);
            var bucket = BinaryPrimitives.ReadUInt32BigEndian(tag) >> (32 - Cheap.BucketBits);
            return new IndexSteps(epoch, saltInput, saltE, password, kDest, kid, tagInput, tag, bucket);
        }
    }
}
