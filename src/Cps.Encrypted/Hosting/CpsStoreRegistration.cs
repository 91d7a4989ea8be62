using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stir.Encrypted.CpsService.Abuse;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;
using Stir.Encrypted.CpsService.Storage.Redis;

namespace Stir.Encrypted.CpsService.Hosting;

/// <summary>
/// The one place that chooses the <see cref="IBlobStore"/> implementation from configuration:
/// <c>Cps:Store</c> = <c>LiteDb</c> (the default: embedded, a directory under <c>Cps:DataDirectory</c>, nothing
/// to set up) or <c>Redis</c> (a Redis/Valkey cluster shared by several CPS nodes, <c>Cps:Redis:Configuration</c>;
/// it also brings the cluster-wide rate limiter and storer ledger). Stores registered afterwards (tests, embedders)
/// replace it.
/// </summary>
internal static class CpsStoreRegistration
{
    public const string LiteDb = "LiteDb";
    public const string Redis = "Redis";

    public static IServiceCollection AddCpsStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var store = configuration[$"{CpsOptions.SectionName}:Store"] ?? LiteDb;
        if (string.Equals(store, Redis, StringComparison.OrdinalIgnoreCase))
        {
            return services.AddRedisStore(configuration);
        }
        if (!string.Equals(store, LiteDb, StringComparison.OrdinalIgnoreCase))
        {
            throw new OptionsValidationException(CpsOptions.SectionName, typeof(CpsOptions), [$"Cps:Store is \"{store}\"; known stores: {LiteDb}, {Redis}"]);
        }

        // The store files buckets by epoch and drops them when they expire, so it must use exactly the epoch
        // length and bucket lifetime the endpoints compute (EpochRules.BucketExpiresUnixMs).
        services.TryAddSingleton<IBlobStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CpsOptions>>().Value;
            var liteDb = new LiteDbStoreOptions
            {
                DataDirectory = Path.GetFullPath(options.DataDirectory),
                EpochLength = TimeSpan.FromSeconds(options.EpochSeconds),
                BucketRetentionAfterEpoch = TimeSpan.FromSeconds(options.Retention.MaxSeconds + (2 * options.Limits.ClockSkewSeconds)),
            };
            configuration.GetSection($"{CpsOptions.SectionName}:LiteDb").Bind(liteDb);
            return LiteDbBlobStore.Open(liteDb, sp.GetRequiredService<TimeProvider>());
        });
        return services;
    }

    private static IServiceCollection AddRedisStore(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection($"{CpsOptions.SectionName}:Redis");
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CpsOptions>>().Value;
            var redis = new RedisStoreOptions
            {
                EpochLength = TimeSpan.FromSeconds(options.EpochSeconds),
                BucketRetentionAfterEpoch = TimeSpan.FromSeconds(options.Retention.MaxSeconds + (2 * options.Limits.ClockSkewSeconds)),
            };
            section.Bind(redis);
            var store = RedisBlobStore.Open(redis, sp.GetRequiredService<TimeProvider>());
            if (!redis.VerifyServerSettings)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CpsStoreRegistration).FullName!)
                    .LogWarning("Cps:Redis:VerifyServerSettings is off: the store did not check that the cluster keeps nothing on disk and evicts nothing");
            }
            return store;
        });
        services.TryAddSingleton<IBlobStore>(sp => sp.GetRequiredService<RedisBlobStore>());
        services.TryAddSingleton(sp => new ClusterRateLimiter(sp.GetRequiredService<RedisBlobStore>(), section["KeyPrefix"] ?? new RedisStoreOptions().KeyPrefix));
        // The storer cap must hold across nodes: its accounting lives in the cluster, beside each bucket.
        services.TryAddSingleton<IStorerLedger>(sp => new RedisStorerLedger(sp.GetRequiredService<RedisBlobStore>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
