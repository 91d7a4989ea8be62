using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// <c>GET /health/live</c> (the process answers) and <c>GET /health/ready</c> (the store is open and writable
/// and the runtime loaded): for orchestrators, so they say nothing else (a store's reason is logged, not served).
/// </summary>
internal static partial class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/health/live", (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-store";
                return TypedResults.Ok(new HealthStatus("live"));
            })
            .WithName("live")
            .WithTags("Operations")
            .WithSummary("Liveness: the process answers");
        routes.MapGet("/health/ready", ReadyAsync)
            .WithName("ready")
            .WithTags("Operations")
            .WithSummary("Readiness: the store is open and writable")
            .Produces<HealthStatus>(StatusCodes.Status200OK)
            .Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<IResult> ReadyAsync(HttpContext context, IBlobStore store, CpsRuntimeProvider runtimes, ILoggerFactory loggers)
    {
        context.Response.Headers.CacheControl = "no-store";
        var logger = loggers.CreateLogger(typeof(HealthEndpoints).FullName!);
        bool ready;
        try
        {
            var (storeReady, reason) = await store.CheckReadyAsync(context.RequestAborted);
            if (!storeReady)
            {
                LogNotReady(logger, reason ?? "no reason given");
            }

            ready = storeReady && (await RuntimeAccess.GetAsync(runtimes, logger, context.RequestAborted)).Runtime is not null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotReady(logger, ex.GetType().FullName ?? "exception");
            ready = false;
        }

        return ready
            ? TypedResults.Ok(new HealthStatus("ready"))
            : TypedResults.Json(new HealthStatus("not-ready"), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Not ready: {Reason}")]
    private static partial void LogNotReady(ILogger logger, string reason);
}

/// <summary>The body of the health endpoints.</summary>
internal sealed record HealthStatus(string Status);
