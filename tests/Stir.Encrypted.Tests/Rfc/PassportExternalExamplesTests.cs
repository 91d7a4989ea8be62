using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Jose;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;
using Xunit.Abstractions;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// passport/external-examples.json: every entry gets the outcome its "expected" field states, through the
/// library's API (structural decode, canonical flags, signature under each listed key, schema errors,
/// and the verifier's verdict with the rule it names). A field the harness does not understand fails.
/// </summary>
public sealed partial class PassportExternalExamplesTests
{
    private const string File = "passport/external-examples.json";

    private static readonly HashSet<string> KnownEntryKeys =
    [
        "id", "source", "token", "header", "claims", "header_canonical", "claims_canonical", "schema_errors", "signature_length",
        "signature_valid_under", "expected", "notes", "compact_form", "identity_headers", "header_as_printed", "payload_as_printed",
        "canonical_header", "canonical_claims_if_iat_numeric",
    ];

    private static readonly HashSet<string> KnownExpectedKeys = ["parse", "canonical_form", "schema", "signature", "verify", "tnauthlist", "payload_as_printed"];

    private readonly ITestOutputHelper _output;

    public PassportExternalExamplesTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> Ids()
    {
        using var doc = VectorFiles.ReadJson(File);
        var data = new TheoryData<string>();
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            data.Add(entry.GetProperty("id").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Vectors_AllTenEntriesArePresent()
    {
        Assert.Equal(10, Ids().Count);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Entry_GetsTheExpectedOutcome(string id)
    {
        using var doc = VectorFiles.ReadJson(File);
        var entry = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        foreach (var property in entry.EnumerateObject())
        {
            Assert.True(KnownEntryKeys.Contains(property.Name), $"{id}: field \"{property.Name}\" not understood by the harness");
        }

        var expected = entry.GetProperty("expected");
        foreach (var property in expected.EnumerateObject())
        {
            Assert.True(KnownExpectedKeys.Contains(property.Name), $"{id}: expected.{property.Name} not understood by the harness");
        }

        var checkedExpectations = new HashSet<string>();
        if (entry.TryGetProperty("token", out var tokenElement))
        {
            await CheckTokenEntry(id, entry, tokenElement.GetString()!, checkedExpectations);
        }
        else
        {
            CheckPrintedOnlyEntry(id, entry, checkedExpectations);
        }

        foreach (var property in expected.EnumerateObject())
        {
            Assert.True(checkedExpectations.Contains(property.Name), $"{id}: expected.{property.Name} was not checked");
        }
    }

    private async Task CheckTokenEntry(string id, JsonElement entry, string token, HashSet<string> checkedExpectations)
    {
        var expected = entry.GetProperty("expected");

        // "parse": the JWS decodes (three exact base64url segments, strict JSON objects, 64-byte signature).
        using var jws = PassportJws.Decode(token, PassportParseOptions.Default);
        if (expected.TryGetProperty("parse", out var parse))
        {
            Assert.Equal("ok", parse.GetString());
            checkedExpectations.Add("parse");
        }

        AssertSameJson(entry.GetProperty("header"), jws.Header.RootElement, $"{id}: decoded header");
        AssertSameJson(entry.GetProperty("claims"), jws.Claims.RootElement, $"{id}: decoded claims");
        Assert.Equal(entry.GetProperty("header_canonical").GetBoolean(), jws.IsHeaderCanonical);
        Assert.Equal(entry.GetProperty("claims_canonical").GetBoolean(), jws.AreClaimsCanonical);
        if (expected.TryGetProperty("canonical_form", out var canonicalForm))
        {
            Assert.Equal(canonicalForm.GetBoolean(), jws.IsHeaderCanonical && jws.AreClaimsCanonical);
            checkedExpectations.Add("canonical_form");
        }

        // The canonical writer reproduces the signed JSON from the decoded values, byte for byte.
        if (jws.IsHeaderCanonical)
        {
            Assert.Equal(jws.RawHeader, CanonicalJsonWriter.Serialize(entry.GetProperty("header")));
        }

        if (jws.AreClaimsCanonical)
        {
            Assert.Equal(jws.RawClaims, CanonicalJsonWriter.Serialize(entry.GetProperty("claims")));
        }

        Assert.Equal(entry.GetProperty("signature_length").GetInt32(), jws.Signature.Length);

        // "signature_valid_under": the raw ES256 check under every listed key.
        var validKeys = new List<string>();
        foreach (var key in entry.GetProperty("signature_valid_under").EnumerateObject())
        {
            using var publicKey = PassportVectorKeys.Load(key.Name);
            Assert.True(key.Value.GetBoolean() == jws.VerifySignature(publicKey), $"{id}: signature under {key.Name} should be {key.Value.GetBoolean()}");
            if (key.Value.GetBoolean())
            {
                validKeys.Add(key.Name);
            }
        }

        if (expected.TryGetProperty("signature", out var signature))
        {
            var text = signature.GetString()!;
            if (text.StartsWith("valid", StringComparison.Ordinal))
            {
                Assert.NotEmpty(validKeys);
            }
            else if (text.StartsWith("INVALID", StringComparison.Ordinal) || text.StartsWith("not verifiable", StringComparison.Ordinal))
            {
                Assert.Empty(validKeys);
            }
            else
            {
                Assert.Fail($"{id}: expected.signature not understood by the harness: {text}");
            }

            checkedExpectations.Add("signature");
        }

        // "schema_errors": the strict parser finds every listed error (it may find more: it is stricter, e.g.
        // about http x5u), and finds none when none is listed.
        var schemaErrors = entry.GetProperty("schema_errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        var parsed = Passport.TryParse(token, out var passport, out var error);
        if (schemaErrors.Count == 0)
        {
            Assert.True(parsed, $"{id}: {error?.Message}");
        }
        else
        {
            Assert.False(parsed);
            foreach (var schemaError in schemaErrors)
            {
                var (part, field) = FieldOf(schemaError);
                Assert.True(
                    error!.Problems.Any(p => p.Part == part && p.Field == field),
                    $"{id}: \"{schemaError}\" should be reported as {part} \"{field}\"; got: {error.Message}");
            }
        }

        if (expected.TryGetProperty("schema", out var schema))
        {
            Assert.Equal(schema.GetString()!.StartsWith("ok", StringComparison.Ordinal), schemaErrors.Count == 0);
            checkedExpectations.Add("schema");
        }

        // Typed model: rebuilding the header and claims through PassportHeader/PassportBuilder gives the signed bytes.
        if (passport is not null && jws.IsHeaderCanonical && jws.AreClaimsCanonical)
        {
            Assert.Equal(jws.RawHeader, passport.Header.ToCanonicalJson());
            Assert.Equal(jws.RawClaims, passport.Claims.ToCanonicalJson());
            Assert.Equal(jws.RawClaims, RebuildClaims(passport).ToCanonicalJson());
        }

        foreach (var note in entry.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!))
        {
            if (note.StartsWith("Canonical payload: ", StringComparison.Ordinal))
            {
                Assert.Equal(note["Canonical payload: ".Length..], Encoding.UTF8.GetString(passport!.Claims.ToCanonicalJson()));
            }
            else if (note.StartsWith("Canonical header: ", StringComparison.Ordinal))
            {
                Assert.Equal(note["Canonical header: ".Length..], Encoding.UTF8.GetString(passport!.Header.ToCanonicalJson()));
            }
        }

        // "verify": the verifier's verdict, judged at the token's own iat, with the key that signed it.
        var verdict = await VerifyAt(entry, token, validKeys);
        _output.WriteLine($"{id}: {verdict}");
        var verify = expected.GetProperty("verify").GetString()!;
        checkedExpectations.Add("verify");
        if (verify.StartsWith("accept", StringComparison.Ordinal))
        {
            Assert.True(verdict.IsValid, $"{id}: {verdict}");
        }
        else if (verify.Contains("reject", StringComparison.Ordinal))
        {
            Assert.False(verdict.IsValid);
            if (schemaErrors.Count > 0)
            {
                Assert.Equal(PassportRule.Malformed, verdict.Rule);
                Assert.Equal(error!.Message, verdict.FormatError!.Message);
            }
            else if (validKeys.Count == 0)
            {
                Assert.Equal(PassportRule.SignatureInvalid, verdict.Rule);
            }
            else
            {
                Assert.Fail($"{id}: the harness cannot tell why this entry is rejected: {verify}");
            }
        }
        else
        {
            Assert.Fail($"{id}: expected.verify not understood by the harness: {verify}");
        }

        if (expected.TryGetProperty("tnauthlist", out var tnAuthList))
        {
            CheckTnAuthListIsNotRfc8226(tnAuthList.GetString()!);
            checkedExpectations.Add("tnauthlist");
        }

        if (entry.TryGetProperty("compact_form", out var compact))
        {
            Assert.Equal(compact.GetString(), ".." + jws.SignatureSegment);
        }

        if (entry.TryGetProperty("identity_headers", out var identityHeaders))
        {
            await CheckIdentityHeaders(entry, jws, verdict, validKeys, identityHeaders);
        }
    }

    // RFC 8224 §4.1 / RFC 8225 §7: full-form headers carry the token; compact-form ones are rebuilt from the
    // header parameters (x5u from info, alg, ppt) and the claims, canonically, and then verify only if that
    // reconstruction is exactly what was signed.
    private static async Task CheckIdentityHeaders(JsonElement entry, PassportJws jws, PassportVerdict tokenVerdict, List<string> validKeys, JsonElement identityHeaders)
    {
        foreach (var value in identityHeaders.EnumerateArray().Select(v => v.GetString()!))
        {
            var header = SipIdentityHeader.Parse(value);
            Assert.NotNull(header.Info);
            if (!header.IsCompactForm)
            {
                Assert.Equal(jws.Token, header.Token);
                var viaHeader = await VerifyAt(entry, value, validKeys);
                Assert.Equal(tokenVerdict.IsValid, viaHeader.IsValid);
                Assert.Equal(tokenVerdict.Rule == PassportRule.Malformed, viaHeader.Rule == PassportRule.Malformed);
                continue;
            }

            Assert.Equal(".." + jws.SignatureSegment, header.Token);
            var rebuiltJson = new JsonObject { ["alg"] = header.Alg ?? "ES256", ["typ"] = "passport", ["x5u"] = header.Info };
            if (header.Ppt is not null)
            {
                rebuiltJson["ppt"] = header.Ppt;
            }

            using var rebuiltHeader = JsonDocument.Parse(rebuiltJson.ToJsonString());
            var full = PassportJws.Reconstruct(header.Token, rebuiltHeader.RootElement, entry.GetProperty("claims"));
            using var rebuilt = PassportJws.Decode(full, PassportParseOptions.Default);
            var infoMatchesX5u = header.Info == entry.GetProperty("header").GetProperty("x5u").GetString();
            Assert.Equal(infoMatchesX5u, full == jws.Token);
            foreach (var keyName in validKeys)
            {
                using var key = PassportVectorKeys.Load(keyName);
                Assert.Equal(infoMatchesX5u, rebuilt.VerifySignature(key));
            }
        }
    }

    private static async Task<PassportVerdict> VerifyAt(JsonElement entry, string tokenOrHeader, List<string> validKeys)
    {
        var keyName = validKeys.Count > 0 ? validKeys[0] : entry.GetProperty("signature_valid_under").EnumerateObject().First().Name;
        using var key = PassportVectorKeys.Load(keyName);
        using var resolver = new StaticKeyCredentialResolver(key, subject: keyName);
        var iat = entry.GetProperty("claims").TryGetProperty("iat", out var iatElement)
            ? (iatElement.ValueKind == JsonValueKind.Number ? iatElement.GetInt64() : long.Parse(iatElement.GetString()!, System.Globalization.CultureInfo.InvariantCulture))
            : 1_700_000_000;
        var verifier = new PassportVerifier(resolver, timeProvider: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(iat)));
        return await verifier.VerifyAsync(tokenOrHeader, null, CancellationToken.None);
    }

    // RFC 8588 §6 prints no token: its header is valid JSON whose canonical form is given; its payload as
    // printed is not JSON at all; the canonical claims (with iat as a number) come out of the builder.
    private static void CheckPrintedOnlyEntry(string id, JsonElement entry, HashSet<string> checkedExpectations)
    {
        var expected = entry.GetProperty("expected");
        var canonicalHeader = entry.GetProperty("canonical_header").GetString()!;
        using (var printed = StrictJsonReader.ParseObject(Encoding.UTF8.GetBytes(entry.GetProperty("header_as_printed").GetString()!), PassportPart.Header))
        {
            Assert.Equal(canonicalHeader, Encoding.UTF8.GetString(CanonicalJsonWriter.Serialize(printed.RootElement)));
        }

        var header = new PassportHeader("https://cert.example.org/passport.cer", ppt: PassportTypes.Shaken);
        Assert.Equal(canonicalHeader, Encoding.UTF8.GetString(header.ToCanonicalJson()));

        var payload = Encoding.UTF8.GetBytes(entry.GetProperty("payload_as_printed").GetString()!);
        var error = Assert.Throws<PassportFormatException>(() => StrictJsonReader.ParseObject(payload, PassportPart.Claims).Dispose());
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("not valid JSON", expected.GetProperty("payload_as_printed").GetString(), StringComparison.Ordinal);
        checkedExpectations.Add("payload_as_printed");

        var claims = new PassportBuilder()
            .WithX5u("https://cert.example.org/passport.cer")
            .WithShaken("A", Guid.Parse("123e4567-e89b-12d3-a456-426655440000"))
            .WithOrig(TelephoneNumber.ParseCanonical("12155550121"))
            .AddDest(TelephoneNumber.ParseCanonical("12155550131"))
            .WithIat(1443208345)
            .BuildClaims(TimeProvider.System);
        Assert.Equal(entry.GetProperty("canonical_claims_if_iat_numeric").GetString(), Encoding.UTF8.GetString(claims.ToCanonicalJson()));
        Assert.Equal("rfc8588-s6-example", id);
    }

    // The claims rebuilt through the public builder from the parsed values (what a signer would write).
    private static PassportClaims RebuildClaims(Passport passport)
    {
        var c = passport.Claims;
        var builder = new PassportBuilder().WithOrig(c.Orig).WithIat(c.Iat);
        foreach (var tn in c.Dest.Tn)
        {
            builder.AddDest(tn);
        }

        foreach (var uri in c.Dest.Uri)
        {
            builder.AddDest(PassportIdentity.FromUri(uri));
        }

        if (c.Attest is not null)
        {
            builder.WithShaken(c.Attest, Guid.Parse(c.OrigId!));
        }

        if (c.Div is not null)
        {
            if (passport.Original is not null)
            {
                builder.WithDivO(c.Div, passport.Original);
            }
            else
            {
                builder.WithDiv(c.Div, c.DivHi);
            }
        }

        foreach (var (name, value) in c.Extensions)
        {
            builder.WithClaim(name, value);
        }

        return builder.BuildClaims(TimeProvider.System);
    }

    // "sp.pem TNAuthList is an IA5String URL, not RFC 8226 DER": the extension (id-pe-TNAuthList,
    // RFC 8226 §9) holds no TNAuthorizationList SEQUENCE, so the certificate authorizes no number.
    private static void CheckTnAuthListIsNotRfc8226(string expectation)
    {
        Assert.Contains("not RFC 8226 DER", expectation, StringComparison.Ordinal);
        using var certificate = X509Certificate2.CreateFromPem(VectorFiles.ReadText("certs/libstirshaken/sp.pem"));
        var extension = certificate.Extensions.Single(e => e.Oid?.Value == "1.3.6.1.5.5.7.1.26");
        var tag = new AsnReader(extension.RawData, AsnEncodingRules.DER).PeekTag();
        Assert.False(tag.HasSameClassAndValue(Asn1Tag.Sequence), "a TNAuthorizationList is a SEQUENCE");
        Assert.True(tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.IA5String)));
    }

    private static (PassportPart Part, string Field) FieldOf(string schemaError)
    {
        if (HeaderField().Match(schemaError) is { Success: true } header)
        {
            return (PassportPart.Header, header.Groups[1].Value);
        }

        if (ClaimField().Match(schemaError) is { Success: true } claim)
        {
            return (PassportPart.Claims, claim.Groups[1].Value);
        }

        if (PathField().Match(schemaError) is { Success: true } path)
        {
            return (PassportPart.Claims, path.Groups[1].Value);
        }

        throw new InvalidOperationException($"schema error not understood by the harness: {schemaError}");
    }

    private static void AssertSameJson(JsonElement expected, JsonElement actual, string what)
        => Assert.True(
            CanonicalJsonWriter.Serialize(expected).AsSpan().SequenceEqual(CanonicalJsonWriter.Serialize(actual)),
            $"{what}: {actual.GetRawText()} differs from the vector's {expected.GetRawText()}");

    [GeneratedRegex(@"^header\.([a-z0-9]+) ")]
    private static partial Regex HeaderField();

    [GeneratedRegex(@"^claim ([a-z]+) ")]
    private static partial Regex ClaimField();

    [GeneratedRegex(@"^([a-z]+(?:\.[a-z]+)*) is ")]
    private static partial Regex PathField();
}
