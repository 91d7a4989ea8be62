using Microsoft.Net.Http.Headers;
using Stir.Encrypted.CpsService.Configuration;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// <c>GET /v1/config</c>: the configuration document of spec/protocol.md §7, with a strong <c>ETag</c> so that
/// clients revalidate cheaply (<c>If-None-Match</c> → 304).
/// </summary>
internal static class ConfigEndpoints
{
    public const string OperationId = "getConfiguration";

    public static IEndpointRouteBuilder MapConfigEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/v1/config", GetAsync)
            .WithName(OperationId)
            .WithTags("Configuration")
            .WithSummary("The CPS configuration document (spec/protocol.md §7)")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<IResult> GetAsync(HttpContext context, CpsRuntimeProvider runtimes, ILoggerFactory loggers)
    {
        var (runtime, unavailable) = await RuntimeAccess.GetAsync(runtimes, loggers.CreateLogger(typeof(ConfigEndpoints).FullName!), context.RequestAborted);
        if (runtime is null)
        {
            return unavailable!;
        }

        var headers = context.Response.Headers;
        headers.ETag = runtime.ConfigurationETag;
        headers.CacheControl = "public, max-age=300";
        return Matches(context.Request, runtime.ConfigurationETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(runtime.ConfigurationJson, "application/json");
    }

    // RFC 9110 §13.1.2: If-None-Match uses the weak comparison; "*" matches any current representation.
    private static bool Matches(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0 || !EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }

        var current = EntityTagHeaderValue.Parse(etag);
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
    }
}
