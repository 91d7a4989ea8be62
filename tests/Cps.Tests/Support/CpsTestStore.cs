using StackExchange.Redis;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Storage.Redis;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Which store the service tests (<see cref="CpsFactory"/>) run on, chosen once per test run by the environment:
/// <c>STIR_CPS_TEST_STORE</c> unset or <c>memory</c> → the in-memory double; <c>redis</c> → a
/// <see cref="RedisBlobStore"/> under a fresh key prefix per factory, on the cluster named by
/// <c>STIR_CPS_TEST_REDIS</c> (a StackExchange.Redis configuration string) or else on a 3-primary cluster the
/// tests start (<see cref="RedisServers.Shared"/>). eng/test runs the service tests once each way.
/// </summary>
internal static class CpsTestStore
{
    public const string Variable = "STIR_CPS_TEST_STORE";
    public const string RedisVariable = "STIR_CPS_TEST_REDIS";

    private static readonly Lazy<IConnectionMultiplexer> Connection = new(() =>
    {
        var configuration = Environment.GetEnvironmentVariable(RedisVariable);
        if (string.IsNullOrWhiteSpace(configuration))
        {
            // The whole suite again on Redis: nothing here kills a server, so a slow moment of the shared machine
            // must not fail a test that checks something else (a 2 s timeout did once in CI, on a snapshot read).
            configuration = RedisServers.Shared.GetAwaiter().GetResult().PatientConfiguration;
        }
        return ConnectionMultiplexer.Connect(RedisBlobStore.ConnectionOptions(new RedisStoreOptions { Configuration = configuration }));
    });

    public static bool IsRedis { get; } = (Environment.GetEnvironmentVariable(Variable) ?? "memory").Trim().ToLowerInvariant() switch
    {
        "" or "memory" => false,
        "redis" => true,
        var other => throw new InvalidOperationException($"{Variable} is \"{other}\"; expected memory or redis"),
    };

    /// <summary>A new store for one factory: the double, or the double passing through to a fresh Redis store.</summary>
    public static InMemoryBlobStore Create(TimeProvider time, IReadOnlyDictionary<string, string?> settings)
    {
        return IsRedis ? CreateRedis(time, settings, "cps-test-" + Guid.NewGuid().ToString("N")) : new InMemoryBlobStore(time);
    }

    /// <summary>A store passing through to Redis under <paramref name="prefix"/> (two with one prefix are two nodes of one deployment).</summary>
    public static InMemoryBlobStore CreateRedis(TimeProvider time, IReadOnlyDictionary<string, string?> settings, string prefix)
    {
        // The same epoch length and retention as the app computes bucket expiries with (the store checks them).
        var defaults = new CpsOptions();
        int Setting(string key, int fallback) => settings.TryGetValue(key, out var value) && int.TryParse(value, out var parsed) ? parsed : fallback;
        var epochSeconds = Setting("Cps:EpochSeconds", defaults.EpochSeconds);
        var retentionSeconds = Setting("Cps:Retention:MaxSeconds", defaults.Retention.MaxSeconds) + (2 * Setting("Cps:Limits:ClockSkewSeconds", defaults.Limits.ClockSkewSeconds));
        var options = new RedisStoreOptions
        {
            Configuration = "unused: the shared connection is passed in",
            KeyPrefix = prefix,
            EpochLength = TimeSpan.FromSeconds(epochSeconds),
            BucketRetentionAfterEpoch = TimeSpan.FromSeconds(retentionSeconds),
        };
        return new InMemoryBlobStore(time, RedisBlobStore.Create(Connection.Value, options, time));
    }
}
