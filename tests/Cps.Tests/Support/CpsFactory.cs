using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.CpsService.Hosting;
using Stir.Encrypted.CpsService.Endpoints;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.Redis;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Hosts exactly the service's <c>CpsApplication.Build</c> in memory with a <see cref="FakeTimeProvider"/>, a
/// <see cref="InMemoryBlobStore"/> (shareable between factories: two nodes, or a restart; in memory, or on the Redis
/// cluster when <see cref="CpsTestStore"/> says so), captured logs at every level the app's filters allow,
/// generous rate limits and storer cap unless a test sets its own, and a <see cref="ManualReleaseTimer"/> under the
/// retrieval deadline. The management listener is off unless a test sets <c>Cps:Management:Urls</c>
/// (<see cref="ManagementSettings"/>: a kernel-chosen loopback port, then <see cref="ManagementUrl"/>); it is a real
/// Kestrel listener even here.
/// </summary>
public sealed class CpsFactory : WebApplicationFactory<Program>
{
    /// <summary>2030-01-01T00:10:00Z: ten minutes into epoch 525960 (E = 3600 s).</summary>
    public static readonly DateTimeOffset DefaultStart = new(2030, 1, 1, 0, 10, 0, TimeSpan.Zero);

    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Cps:RateLimits:Store:PermitLimit"] = "1000000",
        ["Cps:RateLimits:Store:WindowSeconds"] = "1",
        ["Cps:RateLimits:Retrieve:PermitLimit"] = "1000000",
        ["Cps:RateLimits:Retrieve:WindowSeconds"] = "1",
        // Most tests fill buckets from one client; the cap's own tests (StorerCapTests, tests/Cps.Tests/Privacy) set it.
        ["Cps:StorerCap:MaxLiveBlobsPerBucket"] = "256",
        ["Cps:Management:Urls"] = "",
    };

    private readonly Action<IServiceCollection>? _services;

    public CpsFactory()
        : this(null, null, null, null)
    {
    }

    internal CpsFactory(InMemoryBlobStore? store = null, FakeTimeProvider? time = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        Time = time ?? new FakeTimeProvider(DefaultStart);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        Store = store ?? CpsTestStore.Create(Time, _settings);
        if (Store.Backing is RedisBlobStore redis)
        {
            // The app as configured for Redis (its cluster-wide rate limiter included), on this test's key prefix.
            _settings["Cps:Store"] = "Redis";
            _settings["Cps:Redis:Configuration"] = "127.0.0.1:1";
            _settings["Cps:Redis:KeyPrefix"] = redis.KeyPrefix;
        }

        _services = services;
    }

    /// <summary>Settings that turn the management listener on, on a port the kernel chooses.</summary>
    public static IReadOnlyDictionary<string, string?> ManagementSettings { get; } = new Dictionary<string, string?> { ["Cps:Management:Urls"] = "http://127.0.0.1:0" };

    public FakeTimeProvider Time { get; }

    /// <summary>The management listener's base URL (it must be on: <see cref="ManagementSettings"/>).</summary>
    public Uri ManagementUrl => Services.GetRequiredService<ManagementListener>().Urls is [var first, ..]
        ? new Uri(first.GetLeftPart(UriPartial.Authority) + "/")
        : throw new InvalidOperationException("the management listener is off; create the factory with CpsFactory.ManagementSettings");

    /// <summary>The Prometheus text the management listener serves now.</summary>
    public async Task<string> GetMetricsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(ManagementUrl, "metrics"));
    }

    internal InMemoryBlobStore Store { get; }

    public LogCapture Logs { get; } = new();

    /// <summary>
    /// The clock the retrieval deadline waits on: a manual one, so that every retrieval runs the deadline's code but
    /// answers without waiting for it (the polling tests make thousands); tests of the deadline read its waits.
    /// </summary>
    internal ManualReleaseTimer ReleaseTimer { get; } = new();

    internal RequestBodyMeter BodyMeter { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<IBlobStore>(Store);
            services.AddSingleton<ReleaseTimer>(ReleaseTimer);
            if (Store.Backing is RedisBlobStore redis)
            {
                services.AddSingleton(redis);
            }

            services.AddSingleton<IStartupFilter, TestClientAddress>();
            services.AddSingleton<IStartupFilter>(BodyMeter);
            _services?.Invoke(services);
        });
    }
}
