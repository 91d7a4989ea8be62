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
    internal static readonly byte[] SecondRecipientIkm = Encoding.ASCII.GetBytes("stir-encrypted worked example: second recipient key");
    internal static readonly byte[] EphemeralIkm = Encoding.ASCII.GetBytes("stir-encrypted worked example: ephemeral key");
    internal static readonly SizeClass Class = new(1024, 8);

    // The random choices of §4, fixed for the example: CEK, where each holder's stanza goes (holder 1 in stanza 3,
    // holder 2 in stanza 1; 0-based positions here) and the bytes of the unused stanzas 2 and 4.
    internal static readonly byte[] ContentKey = SHA256.HashData("stir-encrypted worked example: content key"u8);
    internal static readonly int[] Arrangement = [2, 0, 1, 3];

    internal static byte[] UnusedStanza(int position) =>
        SHA512.HashData(Encoding.ASCII.GetBytes($"stir-encrypted worked example: unused stanza {position + 1}"))[..BlobSealer.StanzaSize];

    [Fact]
    public void AppendixA_IsWhatTheCodeProducesNow()
    {
        GeneratedSpecText.AssertSection("protocol.md", Section, Appendix());
    }

    [Fact]
    public void IndexExample_BySpecFormula_EqualsBlobIndex()
    {
        var steps = IndexSteps.Compute();
        var index = BlobIndex.Derive(Cheap, Orig, Dest, Cheap.EpochAt(Now));

        Assert.Equal(steps.Tag, index.Tag.ToArray());
        Assert.Equal(steps.Bucket, index.Bucket);
        Assert.Equal(steps.DestinationKey, BlobIndex.DeriveDestinationKey(Cheap, Dest, steps.Epoch));
    }

    [Fact]
    public void BlobExample_IsEncStanzasAndBody_AsTheSpecBuildsThem_AndEachHolderOpensIt()
    {
        using var example = new BlobExample();

        // §4 step by step with the BCL's ChaCha20-Poly1305: each stanza seals CEK under its holder's key schedule
        // (sequence number 0, so the nonce is base_nonce), unused stanzas are the fixed bytes, and the body seals the
        // plaintext under CEK with a zero nonce and the whole header as aad.
        var header = new byte[BlobSealer.HeaderSize];
        example.SkE.PublicKey.Export().CopyTo(header, 0);
        for (var position = 0; position < BlobSealer.StanzaCount; position++)
        {
            var holder = Array.IndexOf(Arrangement, position);
            var stanza = holder < example.Holders.Length ? AeadSeal(example.Schedules[holder].Key, example.Schedules[holder].BaseNonce, [], ContentKey) : UnusedStanza(position);
            stanza.CopyTo(header, 32 + (position * BlobSealer.StanzaSize));
        }

        var body = AeadSeal(ContentKey, new byte[12], header, BlobPlaintext.Encode([ExamplePassport()], Class.PlaintextSize));
        Assert.Equal([.. header, .. body], example.Blob);

        foreach (var holder in example.Holders)
        {
            var opened = Assert.Single(BucketOpener.Open(example.Index, [example.Blob], holder));
            Assert.Equal([ExamplePassport()], opened.Passports);
        }

        using var stranger = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        Assert.Empty(BucketOpener.Open(example.Index, [example.Blob], stranger));
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
        using var example = new BlobExample();
        var skR = example.Holders[0];
        var steps = IndexSteps.Compute();
        var config = Configuration();
        var index = example.Index;
        var passport = ExamplePassport();
        var plaintext = BlobPlaintext.Encode([passport], Class.PlaintextSize);
        var length = BinaryPrimitives.ReadUInt16BigEndian(plaintext.AsSpan(1));
        var blob = example.Blob;
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
        s.Append(CultureInfo.InvariantCulture, $"Parameters, deliberately cheap so that the example is quick to reproduce (a version-1 client refuses\na configuration below its minimums, m = {IndexParameters.DefaultMemoryKiB} KiB and t = {IndexParameters.DefaultIterations} by default): `salt` = the 32 bytes 00 01 02 … 1f\n(`{StrictBase64.EncodeUrl(Salt)}`), `memoryKiB` = {Cheap.MemoryKiB}, `iterations` = {Cheap.Iterations}, `parallelism` = 1,\n`bucketBits` = {Cheap.BucketBits}, `epochSeconds` = {Cheap.EpochSeconds}. Call from `orig` = `{Orig.Value}` to `dest` = `{Dest.Value}` at Unix time\n{Now.ToUnixTimeSeconds()} ({Now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}). No key enters the index: both holders of A.4 fetch this bucket.\n\n");
        s.Append("```\n");
        s.Append(CultureInfo.InvariantCulture, $"{"e",-15}= floor({Now.ToUnixTimeSeconds()} / {Cheap.EpochSeconds}) = {steps.Epoch}\n");
        Row(s, "salt_e input", steps.SaltInput);
        Row(s, "salt_e", steps.SaltE);
        Row(s, "password", steps.Password);
        Row(s, "K_dest_e", steps.DestinationKey);
        Row(s, "tag input", steps.TagInput);
        Row(s, "tag", steps.Tag);
        var top = BinaryPrimitives.ReadUInt32BigEndian(steps.Tag);
        s.Append(CultureInfo.InvariantCulture, $"{"bucket",-15}= 0x{top:x8} >> {32 - Cheap.BucketBits} = {steps.Bucket} → \"{index.BucketText}\"\n");
        s.Append("```\n\n");
        s.Append(CultureInfo.InvariantCulture, $"The caller stores with `POST /v1/epochs/{steps.Epoch}/buckets/{index.BucketText}?size={Class.Size}`; each holder retrieves\n`GET /v1/epochs/{steps.Epoch}/buckets/{index.BucketText}`.\n\n");

        s.Append("### A.3 Blob plaintext (§6)\n\n");
        s.Append(CultureInfo.InvariantCulture, $"Size class {Class.Size} bytes, so P = {Class.Size} − 32 − {BlobSealer.StanzaCount}·{BlobSealer.StanzaSize} − 16 = {Class.PlaintextSize}. The PASSporT set is one PASSporT, the original of RFC 8946 §5\n(a valid ES256 signature under RFC 8946 Appendix A's key). The payload is L = {length} bytes:\n\n");
        s.Append("```\n").Append(Encoding.ASCII.GetString(plaintext, 3, length)).Append("\n```\n\n");
        s.Append(CultureInfo.InvariantCulture, $"plaintext = `01` ‖ `{Convert.ToHexStringLower(plaintext.AsSpan(1, 2))}` (u16be L) ‖ payload ‖ {Class.PlaintextSize - 3 - length} zero bytes; SHA-256(plaintext) =\n`{Convert.ToHexStringLower(SHA256.HashData(plaintext))}`.\n\n");

        s.Append("### A.4 Sealing to two holders (§4)\n\n");
        s.Append("The called number has two key holders, whose X25519 key pairs are RFC 9180 §7.1.3 `DeriveKeyPair(ikm)` with\n");
        s.Append(CultureInfo.InvariantCulture, $"ikm₁ = ASCII `{Encoding.ASCII.GetString(RecipientIkm)}` and ikm₂ = ASCII\n`{Encoding.ASCII.GetString(SecondRecipientIkm)}` (only to make the example reproducible; any keys will do).\n");
        s.Append("Suite DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 (`suite_id` = `HPKE` ‖ 00 20 ‖ 00 01 ‖ 00 03), base\n");
        s.Append(CultureInfo.InvariantCulture, $"mode. The caller's random choices are fixed for the example: the ephemeral key pair by `DeriveKeyPair(ikmE)` with ikmE =\nASCII `{Encoding.ASCII.GetString(EphemeralIkm)}`; CEK = SHA-256(ASCII `stir-encrypted worked example: content key`);\n");
        s.Append("holder 1's stanza at stanza_3 and holder 2's at stanza_1; the unused stanza_k = the first 48 bytes of SHA-512(ASCII\n`stir-encrypted worked example: unused stanza k`), k = 2, 4. A real caller draws all of these from its CSPRNG for every blob.\n\n");
        s.Append("```\n");
        Row(s, "info", index.HpkeInfo());
        Row(s, "skE", example.SkE.Export());
        Row(s, "enc = pkE", example.SkE.PublicKey.Export());
        Row(s, "CEK", ContentKey);
        for (var i = 0; i < example.Holders.Length; i++)
        {
            var n = i + 1;
            var schedule = example.Schedules[i];
            Row(s, $"skR{n}", example.Holders[i].Export());
            Row(s, $"pkR{n}", example.Holders[i].PublicKey.Export());
            Row(s, $"shared_secret{n}", schedule.SharedSecret);
            Row(s, $"key{n}", schedule.Key);
            Row(s, $"base_nonce{n}", schedule.BaseNonce);
        }

        for (var position = 0; position < BlobSealer.StanzaCount; position++)
        {
            Row(s, $"stanza_{position + 1}", blob.AsSpan(32 + (position * BlobSealer.StanzaSize), BlobSealer.StanzaSize));
        }

        s.Append("```\n\n");
        s.Append("stanza_3 = ChaCha20-Poly1305(key1, base_nonce1, aad = empty, CEK) and stanza_1 = the same under key2 and base_nonce2: the\n");
        s.Append("single-shot Seal of SetupBaseS(pkR_i, info) run with the one ephemeral key pair, so that `enc` is the same for both.\n\n");

        s.Append("### A.5 The blob\n\n");
        s.Append(CultureInfo.InvariantCulture, $"blob = enc ‖ stanza_1 ‖ … ‖ stanza_4 ‖ ChaCha20-Poly1305(CEK, nonce = 12 zero bytes, aad = enc ‖ stanza_1 ‖ … ‖ stanza_4,\nplaintext), {blob.Length} bytes:\n\n");
        s.Append("```\n");
        Row(s, $"blob[{BlobSealer.HeaderSize}..{BlobSealer.HeaderSize + 32}]", blob.AsSpan(BlobSealer.HeaderSize, 32));
        Row(s, $"blob[{blob.Length - 16}..]", blob.AsSpan(blob.Length - 16));
        Row(s, "SHA-256(blob)", SHA256.HashData(blob));
        s.Append("```\n\n");
        s.Append("Holder 2 opens it with one X25519 (Decap of `enc` with skR2) and one key schedule: stanza_1 opens under key2 and\n");
        s.Append("base_nonce2 to CEK, and CEK opens the body. Holder 1 tries stanza_1 and stanza_2 in vain, and stanza_3 opens.\n\n");

        s.Append("### A.6 CPS configuration document (§7)\n\n");
        s.Append(CultureInfo.InvariantCulture, $"With the parameters of A.2, the size class of A.3 and the default retention and limits, `GET /v1/config` serves exactly\nthese {configJson.Length} bytes (no whitespace), with `ETag: \"{StrictBase64.EncodeUrl(SHA256.HashData(configJson).AsSpan(0, 16))}\"`:\n\n");
        s.Append("```json\n").Append(Encoding.UTF8.GetString(configJson)).Append("\n```\n\n");

        s.Append("### A.7 Key record claims (§10)\n\n");
        s.Append(CultureInfo.InvariantCulture, $"A key record publishing pkR1 of A.4 for `{Dest.Value}`, issued at the time of A.2 for seven days. The header is\n`{{\"alg\":\"ES256\",\"typ\":\"{KeyRecord.MediaType}\",\"x5c\":[...]}}` (the chain differs per holder); the claims, canonical JSON, are\nexactly:\n\n");
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

    private static byte[] AeadSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext)
    {
        var ct = new byte[plaintext.Length + 16];
        using var aead = new System.Security.Cryptography.ChaCha20Poly1305(key);
        aead.Encrypt(nonce, plaintext, ct.AsSpan(0, plaintext.Length), ct.AsSpan(plaintext.Length), aad);
        return ct;
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

    /// <summary>The example's keys, index and blob, sealed by the project's code with the fixed choices of A.4.</summary>
    private sealed class BlobExample : IDisposable
    {
        public BlobExample()
        {
            Holders = [HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, RecipientIkm), HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, SecondRecipientIkm)];
            SkE = HpkePrivateKey.DeriveKeyPair(HpkeKem.X25519HkdfSha256, EphemeralIkm);
            Index = BlobIndex.Derive(Cheap, Orig, Dest, Cheap.EpochAt(Now));
            Schedules = [.. Holders.Select(h => KeyScheduleOf(h.PublicKey, SkE, Index.HpkeInfo()))];
            var unused = Enumerable.Range(0, BlobSealer.StanzaCount).Where(p => Array.IndexOf(Arrangement, p) >= Holders.Length).Select(UnusedStanza).ToList();
            var randomness = new FixedBlobRandomness(SkE, ContentKey, Arrangement, unused);
            Blob = Assert.Single(BlobSealer.Seal(Configuration(), Index, [ExamplePassport()], [.. Holders.Select(h => h.PublicKey)], randomness));
        }

        public HpkePrivateKey[] Holders { get; }

        public HpkePrivateKey SkE { get; }

        public BlobIndex Index { get; }

        public KeyScheduleValues[] Schedules { get; }

        public byte[] Blob { get; }

        public void Dispose()
        {
            SkE.Dispose();
            foreach (var holder in Holders)
            {
                holder.Dispose();
            }
        }
    }

    /// <summary>spec/protocol.md §5, step by step, with nothing from BlobIndex.</summary>
    private sealed record IndexSteps(ulong Epoch, byte[] SaltInput, byte[] SaltE, byte[] Password, byte[] DestinationKey, byte[] TagInput, byte[] Tag, uint Bucket)
    {
        public static IndexSteps Compute()
        {
            var epoch = (ulong)Now.ToUnixTimeSeconds() / (ulong)Cheap.EpochSeconds;
            var e = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(e, epoch);
            byte[] saltInput = [.. "stir-oob/v1/salt\0"u8, .. Salt, .. e];
            var saltE = SHA256.HashData(saltInput)[..16];
            byte[] password = [.. "stir-oob/v1/dest\0"u8, .. Encoding.ASCII.GetBytes(Dest.Value)];
            var argon2 = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters { DegreeOfParallelism = 1, MemorySize = Cheap.MemoryKiB, NumberOfPasses = Cheap.Iterations });
            var kDest = argon2.DeriveBytes(password, saltE, 32);
            byte[] tagInput =
            [
                .. "stir-oob/v1/tag\0"u8, (byte)Orig.Value.Length, .. Encoding.ASCII.GetBytes(Orig.Value),
                (byte)Dest.Value.Length, .. Encoding.ASCII.GetBytes(Dest.Value), .. e,
            ];
            var tag = HMACSHA256.HashData(kDest, tagInput);
            var bucket = BinaryPrimitives.ReadUInt32BigEndian(tag) >> (32 - Cheap.BucketBits);
            return new IndexSteps(epoch, saltInput, saltE, password, kDest, tagInput, tag, bucket);
        }
    }
}
