using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stir.Encrypted.DirectoryService.Configuration;
using Stir.Encrypted.DirectoryService.Storage;
using Stir.Encrypted.DirectoryService.Storage.LiteDb;

namespace Stir.Encrypted.DirectoryService.Hosting;

/// <summary>The one place an <see cref="IKeyRecordStore"/> is chosen: LiteDB in the data directory unless one is registered already.</summary>
internal static class StoreRegistration
{
    public static IServiceCollection AddDirectoryStore(this IServiceCollection services)
    {
        services.TryAddSingleton<IKeyRecordStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DirectoryOptions>>().Value;
            return LiteDbKeyRecordStore.Open(options.DataDirectory, options.BucketBits, options.RangeBucketLimit, options.ChangeLogRetention);
        });
        return services;
    }
}
