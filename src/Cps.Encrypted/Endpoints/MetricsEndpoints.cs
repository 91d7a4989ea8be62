using Stir.Encrypted.CpsService.Observability;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// <c>GET /metrics</c> on the management listener only (<see cref="Hosting.ManagementListener"/>): the CPS counters in
/// Prometheus text format (no number, bucket, epoch, address or key in any label).
/// </summary>
internal static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/metrics", (HttpContext context, PrometheusExporter exporter) =>
            {
                context.Response.Headers.CacheControl = "no-store";
                return TypedResults.Text(exporter.Render(), PrometheusExporter.ContentType);
            })
            .WithName("metrics");
        return routes;
    }
}
