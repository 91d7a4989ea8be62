using Stir.Encrypted.DirectoryService.Storage;

namespace Stir.Encrypted.DirectoryService.Endpoints;

/// <summary><c>GET /health/live</c> (the process answers) and <c>GET /health/ready</c> (the store answers): for orchestrators.</summary>
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
            .WithSummary("Readiness: the store answers")
            .Produces<HealthStatus>(StatusCodes.Status200OK)
            .Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<IResult> ReadyAsync(HttpContext context, IKeyRecordStore store, ILoggerFactory loggers)
    {
        context.Response.Headers.CacheControl = "no-store";
        try
        {
            _ = await store.StatusAsync(context.RequestAborted);
            return TypedResults.Ok(new HealthStatus("ready"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotReady(loggers.CreateLogger(typeof(HealthEndpoints).FullName!), ex.GetType().FullName ?? "exception");
            return TypedResults.Json(new HealthStatus("not-ready"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Not ready: {Reason}")]
    private static partial void LogNotReady(ILogger logger, string reason);
}

/// <summary>The body of the health endpoints.</summary>
internal sealed record HealthStatus(string Status);
