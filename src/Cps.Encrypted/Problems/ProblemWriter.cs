using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Stir.Encrypted.CpsService.Observability;

namespace Stir.Encrypted.CpsService.Problems;

/// <summary>
/// The one place where an error becomes an HTTP response: status, <c>Retry-After</c>,
/// <c>application/problem+json</c> body (RFC 9457 §3.1: type, title, status, detail, then extensions), and the
/// rejection metric. Endpoints, the rate limiter, the exception boundary and status-code pages all come here.
/// </summary>
internal static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    public static async Task WriteAsync(HttpContext context, Problem problem)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(problem);
        context.RequestServices.GetService<CpsMetrics>()?.Rejected(problem.Type);
        if (context.Response.HasStarted)
        {
            return;
        }

        var response = context.Response;
        // Headers an endpoint set before failing go; routing's Allow (on a 405) stays, RFC 9110 §15.5.6.
        var allow = response.Headers.Allow;
        response.Clear();
        if (allow.Count > 0)
        {
            response.Headers.Allow = allow;
        }

        response.StatusCode = problem.Type.Status;
        response.Headers.CacheControl = "no-store";
        if (problem.RetryAfter is { } retryAfter)
        {
            var seconds = (long)Math.Ceiling(Math.Max(retryAfter.TotalSeconds, 1));
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (problem.Challenge is { } challenge)
        {
            response.Headers.WWWAuthenticate = challenge;
        }

        if (LeavesBodyUndrained(context, problem))
        {
            // This answer goes out before the body is read, and Kestrel drains no more than the endpoint's limit:
            // past it, it closes the connection after the response. Saying so (RFC 9112 §9.6) lets the client open
            // a new connection for its next request instead of losing that request on one that is about to go.
            response.Headers.Connection = "close";
        }

        var body = Serialize(problem);
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    // A 413, or a declared body above the request's limit (the rate limiter answers before the endpoint reads anything).
    private static bool LeavesBodyUndrained(HttpContext context, Problem problem) =>
        problem.Type.Status == StatusCodes.Status413PayloadTooLarge
        || (context.Request.ContentLength is { } declared
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit
            && declared > limit);

    internal static byte[] Serialize(Problem problem)
    {
        var json = new JsonObject
        {
            ["type"] = problem.Type.Type.ToString(),
            ["title"] = problem.Type.Title,
            ["status"] = problem.Type.Status,
            ["detail"] = problem.Detail,
        };
        if (problem.Extensions is not null)
        {
            foreach (var (name, value) in problem.Extensions)
            {
                json[name] = value?.DeepClone();
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(json);
    }
}
