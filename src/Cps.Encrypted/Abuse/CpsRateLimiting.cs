using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
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
                await WriteRejectedAsync(rejected.HttpContext, rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1));
        });
        return services;
    }

    /// <summary>
    /// The limiter in effect: the cluster's token buckets when a <see cref="ClusterRateLimiter"/> is registered
    /// (the store is Redis), else the in-memory per-node windows.
    /// </summary>
    public static IApplicationBuilder UseCpsRateLimiting(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<ClusterRateLimiter>() is null)
        {
            return app.UseRateLimiter();
        }
        return app.Use(async (context, next) =>
        {
            var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
            if (policy is StorePolicy or RetrievePolicy)
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<CpsOptions>>().Value.RateLimits;
                var window = policy == StorePolicy ? limits.Store : limits.Retrieve;
                var limiter = context.RequestServices.GetRequiredService<ClusterRateLimiter>();
                var (allowed, retryAfter) = await limiter.TryAcquireAsync(policy, ClientPartition.For(context.Connection.RemoteIpAddress), window.PermitLimit, window.WindowSeconds, context.RequestAborted);
                if (!allowed)
                {
                    await WriteRejectedAsync(context, retryAfter);
                    return;
                }
            }
            await next(context);
        });
    }

    private static Task WriteRejectedAsync(HttpContext context, TimeSpan retryAfter) =>
        ProblemWriter.WriteAsync(context, new Problem(ProblemType.RateLimited, "this client sent more requests than the CPS accepts per window; retry after the time given")
        {
            RetryAfter = retryAfter,
        });

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
