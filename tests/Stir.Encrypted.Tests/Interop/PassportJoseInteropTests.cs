using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Interop;

/// <summary>
/// PASSporTs between us and panva/jose (tests/interop/jose-passport.mjs): jose verifies ours with an
/// exported SPKI and JWK key; we verify one jose signed, which is valid but not in canonical JSON.
/// </summary>
public sealed class PassportJoseInteropTests : IDisposable
{
    private const long Iat = 1_800_000_000;

    private readonly string _dir = Directory.CreateTempSubdirectory("stir-jose-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task OurPassport_VerifiesWithJose_UnderSpkiAndJwk_AndATamperedOneDoesNot()
    {
        var node = Peers.RequireNode();
        using var key = PassportSigningKey.Generate();
        var passport = new PassportBuilder()
            .WithX5u("https://cert.example.net/sp.pem")
            .WithOrig(TelephoneNumber.ParseE164("+12025550123"))
            .AddDest(TelephoneNumber.ParseE164("+12025550199"))
            .WithShaken("A", Guid.Parse("123e4567-e89b-12d3-a456-426655440000"))
            .WithIat(Iat)
            .Sign(new PassportSigner(key));
        var spki = Path.Combine(_dir, "sp.spki.pem");
        var jwk = Path.Combine(_dir, "sp.jwk.json");
        await File.WriteAllTextAsync(spki, key.ExportPublicKeyPem());
        using (var publicKey = key.ExportPublicKey())
        {
            await File.WriteAllTextAsync(jwk, ToJwk(publicKey));
        }

        foreach (var (kind, file) in new[] { ("--spki", spki), ("--jwk", jwk) })
        {
            var result = await RunJose(node, "verify", kind, file, "--token", passport.Token, "--now", (Iat + 10).ToString(System.Globalization.CultureInfo.InvariantCulture));

            Assert.True(result.ExitCode == 0, result.ToString());
            var json = JsonNode.Parse(result.Stdout)!;
            Assert.Equal("passport", (string?)json["header"]!["typ"]);
            Assert.Equal("shaken", (string?)json["header"]!["ppt"]);
            Assert.Equal("12025550123", (string?)json["payload"]!["orig"]!["tn"]);
            Assert.Equal(Iat, (long)json["payload"]!["iat"]!);
        }

        var chars = passport.Token.ToCharArray();
        var i = passport.Token.IndexOf('.', StringComparison.Ordinal) + 5;
        chars[i] = chars[i] == 'A' ? 'Q' : 'A';
        var tampered = await RunJose(node, "verify", "--spki", spki, "--token", new string(chars), "--now", Iat.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, tampered.ExitCode);
    }

    [Fact]
    public async Task JosePassport_NonCanonicalButValid_VerifiesWithOurs()
    {
        var node = Peers.RequireNode();
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pkcs8 = Path.Combine(_dir, "jose.key");
        await File.WriteAllTextAsync(pkcs8, ecdsa.ExportPkcs8PrivateKeyPem());

        var signed = await RunJose(
            node, "sign", "--pkcs8", pkcs8, "--x5u", "https://cert.example.net/jose.pem", "--orig", "12025550123", "--dest", "12025550199",
            "--iat", Iat.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(signed.ExitCode == 0, signed.ToString());

        using var resolver = new StaticKeyCredentialResolver(ecdsa, [TelephoneNumber.ParseCanonical("12025550123")], "jose key");
        var verifier = new PassportVerifier(resolver, timeProvider: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Iat + 1)));
        var verdict = await verifier.VerifyAsync(signed.Stdout.Trim(), TelephoneNumber.ParseCanonical("12025550199"), CancellationToken.None);

        // Accepted: the signature covers the bytes as sent. Canonical form only matters to rebuild a
        // compact form, which is why the verifier reports it instead of requiring it.
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.False(verdict.Passport!.IsHeaderCanonical);
        Assert.False(verdict.Passport.AreClaimsCanonical);
        Assert.Equal("A", verdict.Passport.Claims.Attest);
        Assert.StartsWith("{\"typ\":\"passport\",\"alg\":\"ES256\"", System.Text.Encoding.UTF8.GetString(verdict.Passport.RawHeader.Span), StringComparison.Ordinal);

        // And its compact form cannot be rebuilt from the canonical JSON: the signed bytes differ.
        var rebuilt = Passport.FromCompactForm(verdict.Passport.CompactForm, verdict.Passport.Header, verdict.Passport.Claims);
        Assert.Equal(PassportRule.SignatureInvalid, (await verifier.VerifyAsync(rebuilt, null, CancellationToken.None)).Rule);
    }

    private static Task<ProcessResult> RunJose(string node, params string[] args)
        => Peers.RunAsync(node, [Path.Combine(Peers.InteropDirectory, "jose-passport.mjs"), .. args], workingDirectory: Peers.InteropDirectory);

    private static string ToJwk(ECDsa key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url(q.X!),
            ["y"] = Base64Url(q.Y!),
        });
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
