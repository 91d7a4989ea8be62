using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService;

namespace Stir.Encrypted.Cps.Tests.Api;

/// <summary>Options are validated at start with messages naming the key, the value and the rule; no store, no start.</summary>
public sealed class StartupTests
{
    // The management listener's default port (9464) would clash between tests running at once.
    private const string NoManagement = "--Cps:Management:Urls=";

    public static TheoryData<string, string, string> BadSettings() => new()
    {
        { "Cps:Classes:0:Size", "100", "Cps:Classes:0:Size is 100; allowed 256..65536" },
        { "Cps:Classes:0:Size", "70000", "Cps:Classes:0:Size is 70000; allowed 256..65536" },
        { "Cps:Classes:0:Slots", "1", "Cps:Classes:0:Slots is 1; allowed 2..256" },
        { "Cps:Retention:MinSeconds", "0", "Cps:Retention:MinSeconds is 0; allowed 1..3600" },
        { "Cps:Retention:MaxSeconds", "10", "Cps:Retention:MaxSeconds is 10; allowed 20..3600" },
        { "Cps:Retention:MeanExtraSeconds", "0", "Cps:Retention:MeanExtraSeconds is 0; allowed 1..3600" },
        { "Cps:EpochSeconds", "59", "Cps:EpochSeconds is 59; allowed 71..604800" },
        { "Cps:Index:MemoryKiB", "8", "Cps:Index:MemoryKiB is 8; allowed 19456..4194304" },
        { "Cps:Index:Iterations", "1", "Cps:Index:Iterations is 1; allowed 2..64" },
        { "Cps:Index:BucketBits", "33", "Cps:Index:BucketBits is 33; allowed 1..32" },
        { "Cps:Index:Salt", "c2hvcnQ", "Cps:Index:Salt is \"c2hvcnQ\"; expected 32 bytes of unpadded base64url (or no value, to use the store's salt)" },
        { "Cps:Limits:ClockSkewSeconds", "301", "Cps:Limits:ClockSkewSeconds is 301; allowed 0..300" },
        { "Cps:Limits:MaxBlobsPerStore", "0", "Cps:Limits:MaxBlobsPerStore is 0; allowed 1..64" },
        { "Cps:Limits:MaxBlobsPerStore", "16", "Cps:Limits:MaxBlobsPerStore is 16; it must be at most the default class's slots (16) − 1, since one slot always holds a decoy" },
        { "Cps:RateLimits:Store:PermitLimit", "0", "Cps:RateLimits:Store:PermitLimit is 0; allowed 1..1000000" },
        { "Cps:RateLimits:Retrieve:WindowSeconds", "0", "Cps:RateLimits:Retrieve:WindowSeconds is 0; allowed 1..3600" },
        { "Cps:RetrievalDeadlineMilliseconds", "-1", "Cps:RetrievalDeadlineMilliseconds is -1; allowed 0..1000" },
        { "Cps:RetrievalDeadlineMilliseconds", "1001", "Cps:RetrievalDeadlineMilliseconds is 1001; allowed 0..1000" },
        { "Cps:StoreAttempts", "0", "Cps:StoreAttempts is 0; allowed 1..100" },
        { "Cps:DataDirectory", " ", "Cps:DataDirectory is empty; name the directory where the store keeps its files" },
        { "Cps:StorerCap:MaxLiveBlobsPerBucket", "0", "Cps:StorerCap:MaxLiveBlobsPerBucket is 0; allowed 1..256" },
        { "Cps:StorerCap:MaxLiveBlobsPerBucket", "2", "Cps:Limits:MaxBlobsPerStore is 4; it must be at most Cps:StorerCap:MaxLiveBlobsPerBucket (2), or no store of that many blobs could ever be taken" },
        { "Cps:StorerCap:AuthenticatedMaxLiveBlobsPerBucket", "3", "Cps:Limits:MaxBlobsPerStore is 4; it must be at most Cps:StorerCap:AuthenticatedMaxLiveBlobsPerBucket (3), or no authenticated store of that many blobs could ever be taken" },
        { "Cps:StorerCap:AuthenticatedMaxLiveBlobsPerBucket", "257", "Cps:StorerCap:AuthenticatedMaxLiveBlobsPerBucket is 257; allowed 1..256" },
        { "Cps:StorerCap:Ipv6PrefixLength", "8", "Cps:StorerCap:Ipv6PrefixLength is 8; allowed 16..128" },
        { "Cps:Management:Urls", "https://127.0.0.1:9464", "Cps:Management:Urls has \"https://127.0.0.1:9464\"; each entry is http://address:port (an IP address, localhost, or * for all; port 0: the kernel chooses), entries separated by ';', or the whole value empty to turn the management listener off" },
        { "Cps:Management:Urls", "http://metrics.example:9464", "Cps:Management:Urls has \"http://metrics.example:9464\"; each entry is http://address:port (an IP address, localhost, or * for all; port 0: the kernel chooses), entries separated by ';', or the whole value empty to turn the management listener off" },
        { "Cps:Management:Urls", "http://127.0.0.1:0;http://127.0.0.1", "Cps:Management:Urls has \"http://127.0.0.1\"; each entry is http://address:port (an IP address, localhost, or * for all; port 0: the kernel chooses), entries separated by ';', or the whole value empty to turn the management listener off" },
        { "Cps:StoreAuthentication:Mode", "on", "Cps:StoreAuthentication:Mode is \"on\"; allowed \"off\" or \"required\"" },
        { "Cps:StoreAuthentication:Mode", "required", "Cps:StoreAuthentication:TrustAnchors is not set; with Mode \"required\" name the PEM file of the CA certificates storer chains lead to" },
        { "Cps:StoreAuthentication:Mode", "required", "Cps:StoreAuthentication:Audience is \"\"; with Mode \"required\" it must be the CPS base URL clients use (absolute http(s), no query or fragment)" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Start_WithAnInvalidSetting_FailsNamingTheKeyAndValue(string key, string value, string message)
    {
        var error = await StartFailureAsync(new Dictionary<string, string?> { [key] = value });

        Assert.Contains(message, Assert.IsType<OptionsValidationException>(error).Failures);
    }

    [Fact]
    public async Task Start_WithDuplicateClassSizes_FailsNamingBothKeys()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cps:Classes:0:Size"] = "2048",
            ["Cps:Classes:0:Slots"] = "16",
            ["Cps:Classes:1:Size"] = "2048",
            ["Cps:Classes:1:Slots"] = "4",
        };
        var error = Assert.IsType<OptionsValidationException>(await StartFailureAsync(settings));

        Assert.Contains("Cps:Classes:1:Size is 2048, the same as Cps:Classes:0:Size; sizes must differ", error.Failures);
        Assert.Contains("Cps:Limits:MaxBlobsPerStore is 4; it must be at most Cps:Classes:1:Slots (4) − 1, since one slot always holds a decoy", error.Failures);
    }

    [Fact]
    public async Task Start_WithAWrongType_FailsNamingTheKey()
    {
        var error = await StartFailureAsync(new Dictionary<string, string?> { ["Cps:EpochSeconds"] = "an hour" });

        Assert.IsType<InvalidOperationException>(error, exactMatch: false);
        Assert.Contains("Cps:EpochSeconds", error.Message, StringComparison.Ordinal);
    }

    // Hosts the app directly rather than through WebApplicationFactory, whose deferred host can race a failed
    // start and report ObjectDisposedException instead of the start's own exception.
    private static async Task<Exception> StartFailureAsync(Dictionary<string, string?> settings)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(CpsFactory.DefaultStart);
        await using var app = CpsApplication.Build([NoManagement], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddSingleton<CpsService.Storage.IBlobStore>(new InMemoryBlobStore(time));
        });

        return await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
    }

    [Fact]
    public async Task Start_WithDefaults_UsesTheEmbeddedStoreUnderTheDataDirectory_AndIsReady()
    {
        var dir = Directory.CreateTempSubdirectory("stir-cps-default-").FullName;
        try
        {
            await using (var app = CpsApplication.Build(["--Cps:DataDirectory", dir, NoManagement], builder => builder.WebHost.UseTestServer()))
            {
                await app.StartAsync();
                using var client = app.GetTestClient();

                var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

                Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
                await app.StopAsync();
            }

            Assert.True(File.Exists(Path.Combine(dir, "cps", "cover.key")), "the LiteDB store did not create its files under Cps:DataDirectory");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Build_WithAnUnknownStore_FailsNamingTheKey()
    {
        var error = Assert.ThrowsAny<Exception>(() => CpsApplication.Build(["--Cps:Store", "Cassandra"], builder => builder.WebHost.UseTestServer()));

        Assert.Contains("Cps:Store is \"Cassandra\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_WithAStoreFromTheConfigureCallback_Starts()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(CpsFactory.DefaultStart);
        await using var app = CpsApplication.Build([NoManagement], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<CpsService.Storage.IBlobStore>(new InMemoryBlobStore(time));
        });

        await app.StartAsync();
        using var client = app.GetTestClient();
        using var response = await client.GetAsync(new Uri("/v1/config", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task Start_WithTheManagementPortTaken_FailsNamingTheSetting()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var error = await StartFailureAsync(new Dictionary<string, string?> { ["Cps:Management:Urls"] = $"http://127.0.0.1:{port}" });

        var refused = Assert.IsType<InvalidOperationException>(error);
        Assert.StartsWith($"Cps:Management:Urls is \"http://127.0.0.1:{port}\": the management listener cannot listen there", refused.Message, StringComparison.Ordinal);
    }
}
