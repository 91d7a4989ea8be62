using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Problems;

namespace Stir.Encrypted.CpsService.Abuse;

/// <summary>
/// Per-client fixed-window limits, one policy for stores and one for retrievals, partitioned by
/// <see cref="ClientPartition"/>; a rejected request gets <c>rate-limited</c> (429) with <c>Retry-After</c>.
/// </summary>
internal static class CpsRateLimiting
{
    public const string StorePolicy = "store";
    public const string RetrievePolicy = "retrieve";

    public static IServiceCollection AddCpsRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(StorePolicy, context => Partition(context, o => o.Store));
            limiter.AddPolicy(RetrievePolicy, context => Partition(context, o => o.Retrieve));
            limiter.OnRejected = async (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                await ProblemWriter.WriteAsync(rejected.HttpContext, new Problem(ProblemType.RateLimited, "this client sent more requests than the CPS accepts per window; retry after the time given")
                {
                    RetryAfter = retryAfter,
                });
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, Func<RateLimitOptions, RateLimitWindowOptions> select)
    {
        var window = select(context.RequestServices.GetRequiredService<IOptions<CpsOptions>>().Value.RateLimits);
        return RateLimitPartition.GetFixedWindowLimiter(ClientPartition.For(context.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = window.PermitLimit,
            Window = TimeSpan.FromSeconds(window.WindowSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
