using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.CpsService.Hosting;

/// <summary>
/// The one place that chooses the <see cref="IBlobStore"/> implementation from configuration:
/// <c>Cps:Store</c> = <c>LiteDb</c> (the default: embedded, a directory under <c>Cps:DataDirectory</c>, nothing
/// to set up). Stores registered afterwards (tests, embedders) replace it.
/// </summary>
internal static class CpsStoreRegistration
{
    public const string LiteDb = "LiteDb";

    public static IServiceCollection AddCpsStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var store = configuration[$"{CpsOptions.SectionName}:Store"] ?? LiteDb;
        if (!string.Equals(store, LiteDb, StringComparison.OrdinalIgnoreCase))
        {
            throw new OptionsValidationException(CpsOptions.SectionName, typeof(CpsOptions), [$"Cps:Store is \"{store}\"; known stores: {LiteDb}"]);
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
}
