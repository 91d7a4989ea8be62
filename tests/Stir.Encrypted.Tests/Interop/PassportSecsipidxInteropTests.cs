using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Interop;

/// <summary>
/// PASSporTs between us and secsipidx (asipto/secsipidx, the Kamailio STIR/SHAKEN library's CLI). It
/// fetches the x5u certificate itself, so the test serves a two-level P-256 chain from a loopback
/// HttpListener and has secsipidx validate the leaf against the test CA (-cert-verify 4 -ca-file).
/// </summary>
public sealed class PassportSecsipidxInteropTests : IDisposable
{
    private static readonly TelephoneNumber Orig = TelephoneNumber.ParseCanonical("12025550123");

    private static readonly TelephoneNumber Dest = TelephoneNumber.ParseCanonical("12025550199");

    private readonly string _dir = Directory.CreateTempSubdirectory("stir-secsipidx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task OurShakenPassport_VerifiesWithSecsipidx_FetchingX5uAndCheckingTheChain()
    {
        var secsipidx = Peers.Require("secsipidx", "secsipidx");
        using var pki = new TestPki();
        var caFile = Path.Combine(_dir, "ca.pem");
        var otherCaFile = Path.Combine(_dir, "other-ca.pem");
        await File.WriteAllTextAsync(caFile, pki.Root.ExportCertificatePem());
        using (var other = TestPki.CreateRoot("CN=Unrelated CA"))
        {
            await File.WriteAllTextAsync(otherCaFile, other.Certificate.ExportCertificatePem());
        }

        await using var server = new LoopbackHttpServer();
        server.Map("/sti/sp.pem", LoopbackHttpServer.Reply.Pem(pki.Leaf.ExportCertificatePem()));
        var x5u = server.BaseUrl + "/sti/sp.pem";
        using var key = PassportSigningKey.FromECDsa(pki.LeafKey);
        var passport = new PassportBuilder()
            .WithX5u(x5u)
            .WithOrig(Orig)
            .AddDest(Dest)
            .WithShaken("A", Guid.Parse("123e4567-e89b-12d3-a456-426655440000"))
            .Sign(new PassportSigner(key)); // secsipidx judges iat by the real clock
        var identity = passport.ToIdentityHeader();

        var ok = await Peers.RunAsync(secsipidx, ["-check", "-identity", identity, "-p", x5u, "-cert-verify", "4", "-ca-file", caFile, "-expire", "300"]);
        Assert.True(ok.ExitCode == 0 && ok.Stdout.Contains("ok", StringComparison.Ordinal), ok.ToString());
        Assert.True(server.Hits("/sti/sp.pem") > 0, "secsipidx did not fetch x5u");

        // The peer really checks: our token under an unrelated CA, and a tampered signature, both fail.
        var untrusted = await Peers.RunAsync(secsipidx, ["-check", "-identity", identity, "-p", x5u, "-cert-verify", "4", "-ca-file", otherCaFile, "-expire", "300"]);
        Assert.NotEqual(0, untrusted.ExitCode);
        var tampered = identity.Replace(passport.Token, passport.Token[..^3] + (passport.Token[^3] == 'A' ? "B" : "A") + passport.Token[^2..], StringComparison.Ordinal);
        var bad = await Peers.RunAsync(secsipidx, ["-check", "-identity", tampered, "-p", x5u, "-cert-verify", "4", "-ca-file", caFile, "-expire", "300"]);
        Assert.NotEqual(0, bad.ExitCode);
    }

    [Fact]
    public async Task SecsipidxShakenPassport_VerifiesWithOurs()
    {
        var secsipidx = Peers.Require("secsipidx", "secsipidx");
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyFile = Path.Combine(_dir, "secsipidx.key");
        await File.WriteAllTextAsync(keyFile, ecdsa.ExportPkcs8PrivateKeyPem());

        // -sign-full stamps iat from the real clock (it ignores -iat), so this one is judged now.
        var signed = await Peers.RunAsync(secsipidx,
        [
            "-sign-full", "-k", keyFile, "-o", Orig.Value, "-d", Dest.Value, "-a", "B", "-orig-id", "0b6e6a3b-4a0e-4e62-9c55-9a1f6c5b3a10",
            "-x5u", "https://cert.example.net/secsipidx.pem",
        ]);
        Assert.True(signed.ExitCode == 0, signed.ToString());
        var identity = signed.Stdout.Trim();

        using var resolver = new StaticKeyCredentialResolver(ecdsa, [Orig], "secsipidx key");
        var verdict = await new PassportVerifier(resolver).VerifyAsync(identity, Dest, CancellationToken.None);

        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.Equal(PassportTypes.Shaken, verdict.Passport!.Header.Ppt);
        Assert.Equal("B", verdict.Passport.Claims.Attest);
        Assert.Equal("0b6e6a3b-4a0e-4e62-9c55-9a1f6c5b3a10", verdict.Passport.Claims.OrigId);

        // And ours catches what it should in secsipidx's output: a foreign key, a stale iat.
        var iat = verdict.Passport.Claims.Iat;
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = new StaticKeyCredentialResolver(otherKey);
        Assert.Equal(PassportRule.SignatureInvalid, (await new PassportVerifier(other, timeProvider: At(iat)).VerifyAsync(identity, null, CancellationToken.None)).Rule);
        Assert.Equal(PassportRule.Stale, (await new PassportVerifier(resolver, timeProvider: At(iat + 61)).VerifyAsync(identity, null, CancellationToken.None)).Rule);
    }

    [Fact]
    public async Task SecsipidxPassportFromRawJson_NonCanonicalButValid_VerifiesWithOurs()
    {
        var secsipidx = Peers.Require("secsipidx", "secsipidx");
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyFile = Path.Combine(_dir, "secsipidx.key");
        await File.WriteAllTextAsync(keyFile, ecdsa.ExportPkcs8PrivateKeyPem());
        const long Iat = 1_800_000_000;

        // -sign signs the header and payload text as given: here with whitespace and unsorted members.
        var signed = await Peers.RunAsync(secsipidx,
        [
            "-sign", "-k", keyFile,
            "-header", "{\"typ\": \"passport\", \"alg\": \"ES256\", \"ppt\": \"shaken\", \"x5u\": \"https://cert.example.net/secsipidx.pem\"}",
            "-payload", $"{{\"orig\": {{\"tn\": \"{Orig.Value}\"}}, \"dest\": {{\"tn\": [\"{Dest.Value}\"]}}, \"iat\": {Iat}, \"attest\": \"C\", \"origid\": \"0b6e6a3b-4a0e-4e62-9c55-9a1f6c5b3a10\"}}",
        ]);
        Assert.True(signed.ExitCode == 0, signed.ToString());

        using var resolver = new StaticKeyCredentialResolver(ecdsa, [Orig], "secsipidx key");
        var verdict = await new PassportVerifier(resolver, timeProvider: At(Iat + 2)).VerifyAsync(signed.Stdout.Trim(), Dest, CancellationToken.None);

        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.False(verdict.Passport!.IsHeaderCanonical);
        Assert.False(verdict.Passport.AreClaimsCanonical);
        Assert.Equal("C", verdict.Passport.Claims.Attest);
    }

    private static FakeTimeProvider At(long unixSeconds) => new(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

    /// <summary>A root CA and a leaf it issued, both P-256, valid around the real current time.</summary>
    private sealed class TestPki : IDisposable
    {
        public TestPki()
        {
            using var root = CreateRoot("CN=Stir.Encrypted Test STI-CA");
            Root = X509CertificateLoader.LoadCertificate(root.Certificate.RawData);
            LeafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=Stir.Encrypted Test STI-SP", LeafKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            var now = DateTimeOffset.UtcNow;
            Leaf = request.Create(root.Certificate, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4]);
        }

        public X509Certificate2 Root { get; }

        public X509Certificate2 Leaf { get; }

        public ECDsa LeafKey { get; }

        public static RootCa CreateRoot(string subject)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            var now = DateTimeOffset.UtcNow;
            return new RootCa(request.CreateSelfSigned(now.AddMinutes(-10), now.AddDays(2)), key);
        }

        public void Dispose()
        {
            Root.Dispose();
            Leaf.Dispose();
            LeafKey.Dispose();
        }

        internal sealed record RootCa(X509Certificate2 Certificate, ECDsa Key) : IDisposable
        {
            public void Dispose()
            {
                Certificate.Dispose();
                Key.Dispose();
            }
        }
    }
}
