using System.Text;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Tests.Support;
using static Stir.Encrypted.Tests.Formats.CertTestPki;
using static Stir.Encrypted.Tests.Support.LoopbackHttpServer;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// <see cref="X5uResolver"/> against a real HTTP server on loopback, with a fake clock: cache hits, the entry
/// bound, expiry at the chain's notAfter and at Cache-Control max-age, size cap, scheme, media type and a
/// server that never answers.
/// </summary>
public sealed class CertX5uResolverTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(T0);
    private readonly DevelopmentPki _pki;
    private readonly DevelopmentCredential _sp;
    private readonly StirChainValidator _validator;
    private readonly HttpClient _http = new();

    public CertX5uResolverTests()
    {
        _pki = DevelopmentPki.Create(_time);
        _sp = _pki.IssueEndEntity("sp", List("spc:709J"), TimeSpan.FromHours(2));
        _validator = new StirChainValidator([_pki.Root.Certificate], new StirChainValidatorOptions { TimeProvider = _time });
    }

    public void Dispose()
    {
        _http.Dispose();
        _sp.Dispose();
        _pki.Dispose();
    }

    [Fact]
    public async Task Resolve_Twice_FetchesOnceAndReturnsTheValidatedCertificate()
    {
        await using var server = Serve("/sp.pem", Reply.Pem(Pem(_sp.Chain)));
        var resolver = Resolver();

        var first = await resolver.ResolveAsync(server.BaseUrl + "/sp.pem");
        var second = await resolver.ResolveAsync(server.BaseUrl + "/sp.pem");

        Assert.True(first.IsValid, first.Reason);
        Assert.Same(first, second);
        Assert.Equal(1, server.Hits("/sp.pem"));
        Assert.Equal(_sp.Certificate.RawData, first.Certificate.EndEntity.RawData);
        Assert.Equal("spc '709J'", first.Certificate.TNAuthList!.ToString());
    }

    [Fact]
    public async Task Cache_IsBoundedByEntryCount_LeastRecentlyUsedGoesFirst()
    {
        await using var server = new LoopbackHttpServer();
        foreach (var path in new[] { "/a", "/b", "/c" })
        {
            server.Map(path, Reply.Pem(Pem(_sp.Chain)));
        }

        var resolver = Resolver(new X5uResolverOptions { AllowHttp = true, MaxEntries = 2 });

        await resolver.ResolveAsync(server.BaseUrl + "/a");
        await resolver.ResolveAsync(server.BaseUrl + "/b");
        await resolver.ResolveAsync(server.BaseUrl + "/a"); // a is now the most recent
        await resolver.ResolveAsync(server.BaseUrl + "/c"); // evicts b
        await resolver.ResolveAsync(server.BaseUrl + "/a");
        await resolver.ResolveAsync(server.BaseUrl + "/b");

        Assert.Equal(2, resolver.CachedCount);
        Assert.Equal(1, server.Hits("/a"));
        Assert.Equal(2, server.Hits("/b"));
        Assert.Equal(1, server.Hits("/c"));
    }

    [Fact]
    public async Task CachedResult_ExpiresAtTheCertificateNotAfter_EvenWithALongerMaxAge()
    {
        await using var server = Serve("/sp.pem", Reply.Pem(Pem(_sp.Chain)));
        var resolver = Resolver(new X5uResolverOptions { AllowHttp = true, MaxAge = TimeSpan.FromDays(1) });
        var url = server.BaseUrl + "/sp.pem";

        Assert.True((await resolver.ResolveAsync(url)).IsValid);
        _time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.True((await resolver.ResolveAsync(url)).IsValid);
        Assert.Equal(1, server.Hits("/sp.pem"));

        _time.Advance(TimeSpan.FromSeconds(2));
        var after = await resolver.ResolveAsync(url);

        Assert.Equal(2, server.Hits("/sp.pem"));
        Assert.Equal(StirChainFailure.Expired, after.Failure);
        Assert.Contains("expired 1 s ago", after.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CacheControlMaxAge_ShortensReuse()
    {
        await using var server = Serve("/sp.pem", Reply.Pem(Pem(_sp.Chain)) with { Headers = [("Cache-Control", "max-age=60")] });
        var resolver = Resolver();
        var url = server.BaseUrl + "/sp.pem";

        await resolver.ResolveAsync(url);
        _time.Advance(TimeSpan.FromSeconds(59));
        await resolver.ResolveAsync(url);
        Assert.Equal(1, server.Hits("/sp.pem"));
        _time.Advance(TimeSpan.FromSeconds(2));
        await resolver.ResolveAsync(url);

        Assert.Equal(2, server.Hits("/sp.pem"));
    }

    [Fact]
    public async Task CacheControlNoStore_IsNeverCached()
    {
        await using var server = Serve("/sp.pem", Reply.Pem(Pem(_sp.Chain)) with { Headers = [("Cache-Control", "no-store")] });
        var resolver = Resolver();

        await resolver.ResolveAsync(server.BaseUrl + "/sp.pem");
        await resolver.ResolveAsync(server.BaseUrl + "/sp.pem");

        Assert.Equal(2, server.Hits("/sp.pem"));
    }

    [Fact]
    public async Task ConfiguredMaxAge_BoundsReuse()
    {
        await using var server = Serve("/sp.pem", Reply.Pem(Pem(_sp.Chain)));
        var resolver = Resolver(new X5uResolverOptions { AllowHttp = true, MaxAge = TimeSpan.FromMinutes(10) });

        await resolver.ResolveAsync(server.BaseUrl + "/sp.pem");
        _time.Advance(TimeSpan.FromMinutes(10));
        await resolver.ResolveAsync(server.BaseUrl + "/sp.pem");

        Assert.Equal(2, server.Hits("/sp.pem"));
    }

    [Theory]
    [InlineData(true, "response of 70000 bytes exceeds the limit of 65536 bytes")]
    [InlineData(false, "response exceeds the limit of 65536 bytes")]
    public async Task OversizeResponse_IsRefused(bool sendContentLength, string reason)
    {
        var body = Encoding.ASCII.GetBytes(Pem(_sp.Chain) + new string(' ', 70000 - Pem(_sp.Chain).Length));
        await using var server = Serve("/big.pem", new Reply(200, "application/pem-certificate-chain", body, sendContentLength));

        var result = await Resolver().ResolveAsync(server.BaseUrl + "/big.pem");

        Assert.Equal(StirChainFailure.Fetch, result.Failure);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpUrl_WithoutTheLoopbackOption_IsRefusedWithoutARequest()
    {
        await using var server = Serve("/sp.pem", Reply.Pem(Pem(_sp.Chain)));

        var result = await new X5uResolver(_http, _validator).ResolveAsync(server.BaseUrl + "/sp.pem");

        Assert.Equal(StirChainFailure.Fetch, result.Failure);
        Assert.Contains("scheme 'http' is not allowed (https only)", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, server.Hits("/sp.pem"));
    }

    [Theory]
    [InlineData("ftp://example.net/sp.pem", "scheme 'ftp' is not allowed")]
    [InlineData("sp.pem", "is not an absolute URL")]
    public async Task NonHttpsOrRelativeUrl_IsRefused(string x5u, string reason)
    {
        var result = await new X5uResolver(_http, _validator).ResolveAsync(x5u);

        Assert.Equal(StirChainFailure.Fetch, result.Failure);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerThatNeverAnswers_TimesOut()
    {
        await using var server = Serve("/slow.pem", Reply.NoAnswer());
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.RequestReceived += _ => received.TrySetResult();
        var resolver = Resolver(new X5uResolverOptions { AllowHttp = true, Timeout = TimeSpan.FromSeconds(5) });

        var pending = resolver.ResolveAsync(server.BaseUrl + "/slow.pem");
        await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(5));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(StirChainFailure.Fetch, result.Failure);
        Assert.Contains("no complete response within 5 s", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_IsCachedOnlyBriefly()
    {
        await using var server = Serve("/gone.pem", Reply.Status(404));
        var resolver = Resolver();
        var url = server.BaseUrl + "/gone.pem";

        var first = await resolver.ResolveAsync(url);
        _time.Advance(TimeSpan.FromSeconds(9));
        await resolver.ResolveAsync(url);
        Assert.Equal(1, server.Hits("/gone.pem"));
        _time.Advance(TimeSpan.FromSeconds(2));
        await resolver.ResolveAsync(url);

        Assert.Contains("x5u fetch failed: HTTP 404", first.Reason, StringComparison.Ordinal);
        Assert.Equal(2, server.Hits("/gone.pem"));
    }

    [Theory]
    [InlineData("text/plain", "content type 'text/plain' is neither application/pem-certificate-chain nor application/pkix-cert")]
    [InlineData(null, "content type '(none)'")]
    public async Task OtherMediaType_IsRefused(string? contentType, string reason)
    {
        await using var server = Serve("/sp.pem", new Reply(200, contentType, Encoding.ASCII.GetBytes(Pem(_sp.Chain))));

        var result = await Resolver().ResolveAsync(server.BaseUrl + "/sp.pem");

        Assert.Equal(StirChainFailure.Fetch, result.Failure);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PemChainWithExplanatoryText_IsMalformed()
    {
        await using var server = Serve("/sp.pem", Reply.Pem("subject=CN=sp\n" + Pem(_sp.Chain)));

        var result = await Resolver().ResolveAsync(server.BaseUrl + "/sp.pem");

        Assert.Equal(StirChainFailure.Malformed, result.Failure);
        Assert.Contains("text outside the PEM blocks", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PkixCert_OneDerCertificate_IsAccepted()
    {
        using var direct = _pki.Root.IssueEndEntity("direct", List("spc:709J"), TimeSpan.FromHours(1));
        await using var server = Serve("/direct.cer", new Reply(200, "application/pkix-cert", direct.Certificate.RawData));

        var result = await Resolver().ResolveAsync(server.BaseUrl + "/direct.cer");

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public async Task ChainMissingItsIntermediate_FailsAndTheFailureIsCached()
    {
        await using var server = Serve("/ee.pem", Reply.Pem(Pem([_sp.Certificate])));
        var resolver = Resolver();

        var result = await resolver.ResolveAsync(server.BaseUrl + "/ee.pem");
        await resolver.ResolveAsync(server.BaseUrl + "/ee.pem");

        Assert.Equal(StirChainFailure.MissingIntermediate, result.Failure);
        Assert.Equal(1, server.Hits("/ee.pem"));
    }

    [Fact]
    public async Task ConcurrentRequestsForOneUrl_ShareOneFetch()
    {
        using var gate = new ManualResetEventSlim();
        await using var server = new LoopbackHttpServer();
        server.Map("/sp.pem", () =>
        {
            gate.Wait(TimeSpan.FromSeconds(30));
            return Reply.Pem(Pem(_sp.Chain));
        });
        var resolver = Resolver();

        var all = Enumerable.Range(0, 8).Select(_ => resolver.ResolveAsync(server.BaseUrl + "/sp.pem")).ToArray();
        gate.Set();
        var results = await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.True(r.IsValid, r.Reason));
        Assert.Equal(1, server.Hits("/sp.pem"));
    }

    [Fact]
    public async Task CallerCancellation_IsNotCached()
    {
        await using var server = Serve("/sp.pem", Reply.Pem(Pem(_sp.Chain)));
        var resolver = Resolver();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resolver.ResolveAsync(server.BaseUrl + "/sp.pem", cancelled.Token));
        var result = await resolver.ResolveAsync(server.BaseUrl + "/sp.pem");

        Assert.True(result.IsValid, result.Reason);
    }

    private static LoopbackHttpServer Serve(string path, Reply reply)
    {
        var server = new LoopbackHttpServer();
        server.Map(path, reply);
        return server;
    }

    private X5uResolver Resolver(X5uResolverOptions? options = null) => new(_http, _validator, options ?? new X5uResolverOptions { AllowHttp = true });
}
