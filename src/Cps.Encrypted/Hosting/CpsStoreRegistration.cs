using Microsoft.Extensions.DependencyInjection.Extensions;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Hosting;

/// <summary>
/// The one place that chooses the <see cref="IBlobStore"/> implementation from configuration. Until an
/// implementation is wired here, the service refuses to start with <see cref="NoStoreMessage"/> (tests and
/// embedders register their own store after this call, which replaces the refusal).
/// </summary>
internal static class CpsStoreRegistration
{
    public const string NoStoreMessage =
        "No blob store is configured: this build of the CPS has no IBlobStore implementation registered. " +
        "Register one in CpsStoreRegistration.AddCpsStore (or, when embedding, through CpsApplication.Build's configure callback).";

    public static IServiceCollection AddCpsStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Integration point: the embedded LiteDB store (Cps:DataDirectory) is registered here.
        services.TryAddSingleton<IBlobStore>(_ => throw new InvalidOperationException(NoStoreMessage));
        return services;
    }
}
