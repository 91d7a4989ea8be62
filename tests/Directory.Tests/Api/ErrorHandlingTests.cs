using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.DirectoryService.Storage;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Api;

/// <summary>Framework errors and store failures become problems of the taxonomy, with nothing internal in them.</summary>
public sealed class ErrorHandlingTests : IDisposable
{
    private readonly KeyRecordPki _pki = new();

    [Fact]
    public async Task UnknownPath_IsNotFound_AndWrongMethod_IsMethodNotAllowedWithAllow()
    {
        using var factory = new DirectoryFactory(_pki);
        using var client = factory.CreateClient();

        using var missing = await client.GetAsync(new Uri("/v1/nothing", UriKind.Relative));
        using var wrongMethod = await client.DeleteAsync(new Uri("/v1/records", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/not-found", (await missing.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/method-not-allowed", (await wrongMethod.JsonAsync()).GetProperty("type").GetString());
        Assert.Contains("POST", wrongMethod.Content.Headers.Allow);
    }

    [Fact]
    public async Task StoreFailure_IsUnavailableWithRetryAfter_AndLeaksNothing()
    {
        using var factory = new DirectoryFactory(_pki).WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IKeyRecordStore, BrokenStore>()));
        using var client = factory.CreateClient();
        var holder = _pki.Issue("carrier", "one:12025550123");

        using var response = await client.PublishAsync(holder.Record("r", 1, ["12025550123"]).Token);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("\"type\":\"https://stir-encrypted.org/problems/unavailable\"", body, StringComparison.Ordinal);
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        Assert.DoesNotContain("secret.db", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_WhenTheStoreFails_Is503()
    {
        using var factory = new DirectoryFactory(_pki).WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IKeyRecordStore, BrokenStore>()));
        using var client = factory.CreateClient();

        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public void Start_WithoutTrustAnchors_Fails_NamingTheSetting()
    {
        using var factory = new DirectoryFactory(_pki, new Dictionary<string, string?> { ["Directory:TrustAnchorsFile"] = "/nonexistent/anchors.pem" });

        var e = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Directory:TrustAnchorsFile cannot be used", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_WithBadOptions_Fails_NamingEachSetting()
    {
        using var factory = new DirectoryFactory(_pki, new Dictionary<string, string?> { ["Directory:BucketBits"] = "40", ["Directory:Enum:CpsUrl"] = "http://cps.example.test/" });

        var e = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Directory:BucketBits is 40; allowed 1..24", e.ToString(), StringComparison.Ordinal);
        Assert.Contains("Directory:Enum:CpsUrl is \"http://cps.example.test/\"", e.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _pki.Dispose();

    /// <summary>A store whose files are gone.</summary>
    private sealed class BrokenStore : IKeyRecordStore
    {
        public Task<PublishResult> PublishAsync(KeyRecord record, CancellationToken cancellationToken) => throw new IOException("cannot write /var/lib/secret.db");

        public Task<IReadOnlyList<StoredEntry>> FindByNumberAsync(TelephoneNumber number, CancellationToken cancellationToken) => throw new IOException("secret.db");

        public Task<IReadOnlyList<StoredEntry>> FindByBucketAsync(uint bucket, CancellationToken cancellationToken) => throw new IOException("secret.db");

        public Task<StoreSnapshot> SnapshotAsync(CancellationToken cancellationToken) => throw new IOException("secret.db");

        public Task<ChangePage?> ChangesAsync(long since, int max, CancellationToken cancellationToken) => throw new IOException("secret.db");

        public Task<StoreStatus> StatusAsync(CancellationToken cancellationToken) => throw new IOException("secret.db");

        public void Dispose()
        {
        }
    }
}
