using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Observability;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Hosting;

/// <summary>
/// Fails the start when no store is configured, starts the metrics listener, and loads the runtime (salt, cover key) ahead of the first
/// request. A store that is configured but not reachable yet does not stop the start: /health/ready says so
/// and requests are answered <c>unavailable</c> until it is.
/// </summary>
internal sealed partial class CpsStartup : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly ILogger<CpsStartup> _logger;

    public CpsStartup(IServiceProvider services, ILogger<CpsStartup> logger)
    {
        _services = services;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (DocumentGeneration.IsActive)
        {
            return; // the build only reads the endpoints
        }

        _ = _services.GetRequiredService<IBlobStore>(); // throws CpsStoreRegistration.NoStoreMessage when none is registered
        _ = _services.GetRequiredService<PrometheusExporter>(); // listen from the first request on
        try
        {
            await _services.GetRequiredService<CpsRuntimeProvider>().GetAsync(cancellationToken);
        }
#pragma warning disable CA1031 // Any store failure here is reported by readiness and retried by requests.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogNotReady(_logger, ex.GetType().FullName ?? "exception");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "The store could not be read at start ({ExceptionType}); retrying on demand")]
    private static partial void LogNotReady(ILogger logger, string exceptionType);
}
