using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps.Tests.Storage;
using Stir.Encrypted.CpsService;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Transport;

/// <summary>
/// Issue 7, "TLS: clients reuse connections". The library takes the caller's <see cref="HttpClient"/> and never
/// makes its own, and a call's requests must leave the connection fit for the next one (bodies read to the end,
/// no <c>Connection: close</c>): then a TLS handshake is paid once per connection, not per call. The real service
/// on Kestrel over HTTPS (a certificate made here, pinned by the handler's validation callback); a connection
/// middleware counts the TCP connections Kestrel accepts.
/// </summary>
public sealed class ConnectionReuseTests : IAsyncLifetime
{
    private const int Calls = 50;
    private static readonly TelephoneNumber Bob = TelephoneNumber.ParseE164("+13035550100");

    private readonly TemporaryDirectory _data = new();
    private readonly DevelopmentPki _pki = DevelopmentPki.Create();
    private readonly X509Certificate2 _certificate = LoopbackCertificate();
    private int _connections;
    private int _handshakes;
    private WebApplication? _cps;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        // x5c PASSporTs are ~2.5 KB, so one 8 KiB class; the index cost at its default.
        _cps = CpsApplication.Build(
            [
                $"--Cps:DataDirectory={_data.Path}",
                "--Cps:Classes:0:Size=8192",
                "--Cps:Classes:0:Slots=16",
                "--Cps:RateLimits:Store:PermitLimit=1000000",
                "--Cps:RateLimits:Retrieve:PermitLimit=1000000",
                "--Cps:Management:Urls=",
                "--Logging:LogLevel:Default=Warning",
            ],
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                // Outermost: every TCP connection accepted, before TLS.
                listen.Use(next => connection =>
                {
                    Interlocked.Increment(ref _connections);
                    return next(connection);
                });
                listen.UseHttps(_certificate, https => https.OnAuthenticate = (_, _) => Interlocked.Increment(ref _handshakes));
            })));
        await _cps.StartAsync();
        var address = _cps.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Assert.StartsWith("https://", address, StringComparison.Ordinal);
        _base = new Uri(address.TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        if (_cps is not null)
        {
            await _cps.StopAsync();
            await _cps.DisposeAsync();
        }

        _certificate.Dispose();
        _pki.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task FiftyCalls_StoredAndVerifiedOverHttps_UseOneConnection()
    {
        var callers = Callers();
        using var alice = _pki.IssueEndEntity("alice", new TNAuthList([.. callers.Select(c => (TNEntry)new TNEntry.One(c))]), TimeSpan.FromDays(1));
        using var bobKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var http = PinnedClient();
        var placer = Placer(http, alice, [bobKey.PublicKey]);
        var verifier = Verifier(http, bobKey);

        var started = DateTimeOffset.UtcNow;
        foreach (var caller in callers)
        {
            var report = await placer.StoreAsync(caller, Bob, null, CancellationToken.None);
            var verdict = await verifier.VerifyAsync(caller, Bob, CancellationToken.None);
            Assert.True(report.Stored, report.Detail);
            Assert.True(verdict.Verstat == Verstat.TnValidationPassed, verdict.ToString());
        }

        // Every request of the 50 calls (configuration fetches, stores, retrievals: 152 connections when CpsClient was
        // made to send Connection: close) on one connection, with one TLS handshake per connection.
        AssertConnectionsReused(started);
    }

    [Fact]
    public async Task FiftyCalls_ToTwoKeyHolders_AreOneStoreEach_AndUseOneConnection()
    {
        // A call to a number with two holders is one store of one blob (spec/protocol.md §4), so nothing goes out in
        // parallel and the pool needs no second connection, however many calls follow.
        var callers = Callers();
        using var alice = _pki.IssueEndEntity("alice", new TNAuthList([.. callers.Select(c => (TNEntry)new TNEntry.One(c))]), TimeSpan.FromDays(1));
        using var carrierKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var phoneKey = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        using var http = PinnedClient();
        var placer = Placer(http, alice, [carrierKey.PublicKey, phoneKey.PublicKey]);
        var verifier = Verifier(http, phoneKey);

        var started = DateTimeOffset.UtcNow;
        foreach (var caller in callers)
        {
            var report = await placer.StoreAsync(caller, Bob, null, CancellationToken.None);
            var verdict = await verifier.VerifyAsync(caller, Bob, CancellationToken.None);
            Assert.True(report.Stored, report.Detail);
            Assert.Equal(1, report.Blobs);
            Assert.True(verdict.Verstat == Verstat.TnValidationPassed, verdict.ToString());
        }

        AssertConnectionsReused(started);
    }

    /// <summary>
    /// One connection and one handshake; two when the run touched an epoch boundary's window (spec §5 "Epochs at the
    /// boundaries": the first M + s seconds and the last s seconds of an epoch), where the callee fetches two epochs in
    /// parallel and the pool opens a second connection, which the following calls then reuse as well.
    /// </summary>
    private void AssertConnectionsReused(DateTimeOffset started)
    {
        var config = new Stir.Encrypted.Cps.IndexParameters(new byte[32], 64, 1, 14, 3600);
        var boundary = false;
        for (var t = started; t <= DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1); t += TimeSpan.FromSeconds(1))
        {
            boundary |= config.CandidateEpochs(t, 60, 5).Count > 1;
        }

        var connections = Volatile.Read(ref _connections);
        Assert.InRange(connections, 1, boundary ? 2 : 1);
        Assert.Equal(connections, Volatile.Read(ref _handshakes));
    }

    private static TelephoneNumber[] Callers() =>
        [.. Enumerable.Range(0, Calls).Select(i => TelephoneNumber.ParseE164($"+1202555{i:D4}"))];

    /// <summary>
    /// A pooled handler as a deployment would configure it: connections kept, but not forever, so that a changed DNS
    /// answer is seen; the test's certificate trusted by its SHA-256 and nothing else.
    /// </summary>
    private HttpClient PinnedClient()
    {
        var pinned = _certificate.GetCertHash(HashAlgorithmName.SHA256);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(pinned),
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private CallPlacer Placer(HttpClient http, DevelopmentCredential signer, IReadOnlyList<HpkePublicKey> holders) =>
        new(http, new StaticCallRouter(_base), new FixedKeyHolders(Bob, holders), new CallPlacerOptions
        {
            Signer = new PassportSigner(PassportSigningKey.FromECDsa(signer.PrivateKey), TimeProvider.System),
            SignerChain = signer.Chain,
        });

    private CallVerifier Verifier(HttpClient http, HpkePrivateKey key)
    {
        var ring = new CalleeKeyRing();
        ring.Add(Bob, HpkePrivateKey.Import(key.Kem, key.Export()));
        var passports = new PassportVerifier(new StirCredentialResolver(new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions())), null, TimeProvider.System);
        return new CallVerifier(http, new StaticCallRouter(_base), ring, passports);
    }

    /// <summary>A self-signed P-256 server certificate for 127.0.0.1, valid for a day around now.</summary>
    private static X509Certificate2 LoopbackCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12, so that the private key is one SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
