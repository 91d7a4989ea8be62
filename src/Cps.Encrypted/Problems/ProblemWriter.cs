using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
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

        var body = Serialize(problem);
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

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
