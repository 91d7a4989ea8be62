using System.Net;
using System.Text;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Api;

/// <summary>
/// The negative corpus of publication (spec/protocol.md §10 "Publish"): each case breaks one rule against a
/// directory that already holds entries, and gets its precise problem (status, type, detail) while the stored
/// directory stays byte for byte the same: the snapshot document and every stored document (entries, indexes,
/// log, version) are compared before and after.
/// </summary>
public sealed class PublishNegativeCorpusTests
{
    private static readonly long T0 = KeyRecordPki.T0.ToUnixTimeSeconds();

    public static TheoryData<string> Cases() => [.. Corpus.Keys];

    private static readonly Dictionary<string, Func<Rig, Case>> Corpus = new()
    {
        ["not covering cert"] = r => new(r.Carrier.Record("alice", 3, ["12035550123"]).Token, 422, "not-covered", "\"tn\": 12035550123 is not covered by the TNAuthList: the range listed does not hold it"),
        ["range partly outside the cert"] = r => new(r.Carrier.Record("alice", 3, ["12025559990+20"]).Token, 422, "not-covered", "\"tnr\": 12025559990+20 is not wholly covered by the signer's TNAuthList"),
        ["expired chain"] = r =>
        {
            var record = r.ShortLived.Record("short", 1, ["12025550123"], days: 1);
            r.Pki.Time.Advance(TimeSpan.FromDays(3));
            return new(record.Token, 422, "untrusted-chain", "the signer's chain is not trusted: The end-entity certificate 'CN=short (DEVELOPMENT)", ChainFailure: "Expired");
        },
        ["untrusted root"] = r => new(r.Pki.IssueUntrusted("stranger", "range:12025550000+10000").Record("alice2", 1, ["12025550123"]).Token, 422, "untrusted-chain", "the signer's chain is not trusted: the chain ends at self-signed", ChainFailure: "UntrustedRoot"),
        ["missing intermediate"] = r => new(r.Carrier.SignRaw(Claims("eve"), $"{{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":[\"{Convert.ToBase64String(r.Carrier.Credential.Certificate.RawData)}\"]}}"), 422, "untrusted-chain", "the signer's chain is not trusted: no issuer certificate found", ChainFailure: "MissingIntermediate"),
        ["bad signature"] = r => new(r.Reseller.SignRaw(Claims("eve"), r.Carrier.HeaderJson), 422, "bad-signature", "the ES256 signature does not verify under the key of CN=carrier (DEVELOPMENT)"),
        ["lower seq"] = r => new(r.Carrier.Record("alice", 1, ["12025550123"]).Token, 409, "stale-seq", "seq 1 of rid alice is not above the stored record with seq 2; publish a higher seq"),
        ["equal seq different content"] = r => new(r.Carrier.Record("alice", 2, ["12025550123"]).Token, 409, "seq-conflict", "seq 2 of rid alice is already stored with different content (record with seq 2); a changed record needs a higher seq"),
        ["stale revocation"] = r => new(r.Carrier.Revocation("bob", 5).Token, 409, "seq-conflict", "seq 5 of rid bob is already stored with different content (revocation with seq 5)"),
        ["record below a revocation"] = r => new(r.Carrier.Record("bob", 4, ["12025550123"]).Token, 409, "stale-seq", "seq 4 of rid bob is not above the stored revocation with seq 5"),
        ["holder mismatch on supersede"] = r => new(r.Reseller.Record("alice", 3, ["12025550123"]).Token, 403, "holder-mismatch", $"rid alice belongs to holder {r.Carrier.Id}, not to the signer {r.Reseller.Id}: only the key that first published a rid can supersede or revoke it"),
        ["holder mismatch on revoke"] = r => new(r.Reseller.Revocation("alice", 9).Token, 403, "holder-mismatch", $"rid alice belongs to holder {r.Carrier.Id}"),
        ["malformed JSON"] = r => new(r.Carrier.SignRaw("{\"exp\":"), 400, "malformed-record", "key record \"claims\": not valid JSON at byte 8"),
        ["malformed JWS"] = _ => new("abc.def", 400, "malformed-record", "key record \"token\": expected 3 segments (header.claims.signature) separated by '.', found 2"),
        ["malformed DER"] = r => new(r.Carrier.SignRaw(Claims("eve"), "{\"alg\":\"ES256\",\"typ\":\"stir-key-record+jwt\",\"x5c\":[\"MIIBAAEC\"]}"), 400, "malformed-record", "key record \"header.x5c[0]\": not DER"),
        ["PASSporT instead of a record"] = r => new(r.Carrier.SignRaw("{\"dest\":{\"tn\":[\"12025550199\"]},\"iat\":1,\"orig\":{\"tn\":\"12025550123\"}}", "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"https://x.example/c.pem\"}"), 400, "malformed-record", "key record \"header.x5u\": not allowed"),
        ["oversized body"] = _ => new(new string('A', 16385), 413, "body-too-large", "the body is larger than 16384 bytes, the largest key record"),
        ["non-ASCII body"] = r => new(r.Carrier.Record("alice", 3, ["12025550123"]).Token + "é", 400, "malformed-record", "is 0xc3; a compact JWS is printable ASCII without spaces or line breaks"),
        ["line break in body"] = r => new(r.Carrier.Record("alice", 3, ["12025550123"]).Token + "\n", 400, "malformed-record", "is 0x0a; a compact JWS is printable ASCII without spaces or line breaks"),
        ["wrong media type"] = r => new(r.Carrier.Record("alice", 3, ["12025550123"]).Token, 415, "unsupported-media-type", "the body must be application/jose (the compact JWS of the record), not \"application/json\"", MediaType: "application/json"),
        ["small-order HPKE key"] = r => new(r.Carrier.SignRaw(Claims("eve", pk: new string('A', 43))), 422, "bad-hpke-key", "\"hpke.pk\": "),
        ["wrong-size HPKE key"] = r => new(r.Carrier.SignRaw(Claims("eve", pk: "AAAA")), 422, "bad-hpke-key", "\"hpke.pk\": "),
        ["wrong suite"] = r => new(r.Carrier.SignRaw(Claims("eve", suite: "p256-sha256-aes128gcm")), 422, "unsupported-suite", "\"hpke.suite\": \"p256-sha256-aes128gcm\" is not accepted (accepted: x25519-sha256-chacha20poly1305)"),
        ["exp after notAfter"] = r => new(r.ShortLived.Record("short", 1, ["12025550123"], days: 3).Token, 422, "exceeds-certificate", "after the chain's earliest notAfter"),
        ["validity too long"] = r => new(r.Carrier.SignRaw(Claims("eve", nbf: T0, exp: T0 + (31 * 86400))), 422, "validity-too-long", "\"exp\" − \"nbf\" is 31 days, longer than the allowed 30 days"),
        ["iat in the future"] = r => new(r.Carrier.SignRaw(Claims("eve", iat: T0 + 3600)), 422, "issued-in-future", $"\"iat\": {T0 + 3600} is 1 h in the future (limit 1 min)"),
        ["nbf not before exp"] = r => new(r.Carrier.SignRaw(Claims("eve", nbf: T0 + 10, exp: T0 + 10)), 422, "bad-validity", $"\"nbf\": {T0 + 10} is not before \"exp\": {T0 + 10}"),
        ["expired record"] = r => new(r.Carrier.SignRaw(Claims("eve", iat: T0 - 100, nbf: T0 - 100, exp: T0)), 422, "record-expired", $"\"exp\": {T0} passed 0 s ago"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RefusedPublication_GetsItsProblem_AndLeavesTheDirectoryByteForByteUnchanged(string name)
    {
        using var rig = await Rig.CreateAsync();
        var (snapshotBefore, _) = await rig.Client.SnapshotAsync();
        var storeBefore = rig.Factory.StoreContents();
        var c = Corpus[name](rig);

        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(c.Body));
        content.Headers.ContentType = new(c.MediaType ?? "application/jose");
        using var response = await rig.Client.PostAsync(new Uri("/v1/records", UriKind.Relative), content);
        var problem = await response.JsonAsync();

        Assert.True(c.Status == (int)response.StatusCode, $"{name}: {(int)response.StatusCode} {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"https://stir-encrypted.org/problems/{c.Type}", problem.GetProperty("type").GetString());
        Assert.Equal(c.Status, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.True(detail.Contains(c.Detail, StringComparison.Ordinal), $"{name}: detail \"{detail}\" lacks \"{c.Detail}\"");
        if (c.ChainFailure is not null)
        {
            Assert.Equal(c.ChainFailure, problem.GetProperty("chainFailure").GetString());
        }

        var (snapshotAfter, _) = await rig.Client.SnapshotAsync();
        Assert.Equal(snapshotBefore, snapshotAfter);
        Assert.Equal(storeBefore, rig.Factory.StoreContents());
    }

    [Fact]
    public void TheCorpus_CoversEveryRefusalTheBriefNames()
    {
        string[] required =
        [
            "not covering cert", "expired chain", "untrusted root", "bad signature", "lower seq", "equal seq different content",
            "malformed JSON", "malformed JWS", "malformed DER", "oversized body", "small-order HPKE key", "wrong suite",
            "exp after notAfter", "holder mismatch on supersede",
        ];

        Assert.All(required, name => Assert.Contains(name, Corpus.Keys));
    }

    private static string Claims(string rid, long? iat = null, long? nbf = null, long? exp = null, string suite = "x25519-sha256-chacha20poly1305", string? pk = null)
    {
        pk ??= StrictBase64.EncodeUrl(KeyRecordPki.NewHpkeKey().Export());
        return $"{{\"exp\":{exp ?? T0 + 86400},\"hpke\":{{\"pk\":\"{pk}\",\"suite\":\"{suite}\"}},\"iat\":{iat ?? T0},\"nbf\":{nbf ?? T0},\"rid\":\"{rid}\",\"seq\":1,\"tn\":[\"12025550123\"]}}";
    }

    private sealed record Case(string Body, int Status, string Type, string Detail, string? ChainFailure = null, string? MediaType = null);

    /// <summary>A directory holding a carrier's record (alice, seq 2) and revocation (bob, seq 5), with a reseller and a short-lived holder on hand.</summary>
    private sealed class Rig : IDisposable
    {
        private Rig()
        {
            Pki = new KeyRecordPki();
            Factory = new DirectoryFactory(Pki, new Dictionary<string, string?> { ["Directory:MaxValidityDays"] = "30" });
            Client = Factory.CreateClient();
            Carrier = Pki.Issue("carrier", "range:12025550000+10000");
            Reseller = Pki.Issue("reseller", "range:12025550100+100");
            ShortLived = Pki.Issue("short", TimeSpan.FromDays(2), "one:12025550123");
        }

        public KeyRecordPki Pki { get; }

        public DirectoryFactory Factory { get; }

        public HttpClient Client { get; }

        public KeyRecordPki.Holder Carrier { get; }

        public KeyRecordPki.Holder Reseller { get; }

        public KeyRecordPki.Holder ShortLived { get; }

        public static async Task<Rig> CreateAsync()
        {
            var rig = new Rig();
            foreach (var token in new[]
            {
                rig.Carrier.Record("alice", 2, ["12025550123", "12025550200+50"]).Token,
                rig.Carrier.Revocation("bob", 5).Token,
                rig.Reseller.Record("reseller-key", 1, ["12025550100+100"]).Token,
            })
            {
                using var response = await rig.Client.PublishAsync(token);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }

            return rig;
        }

        public void Dispose()
        {
            Client.Dispose();
            Factory.Dispose();
            Pki.Dispose();
        }
    }
}
