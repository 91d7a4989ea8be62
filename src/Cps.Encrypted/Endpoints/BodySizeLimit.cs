using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Stir.Encrypted.CpsService.Configuration;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// Endpoint metadata that makes Kestrel cut a store body at maxBlobsPerStore × the largest class size, read
/// from the validated options at the first request (the endpoint itself also checks, for servers that do not
/// enforce the metadata).
/// </summary>
internal sealed class BodySizeLimit : IRequestSizeLimitMetadata
{
    private readonly IServiceProvider _services;

    public BodySizeLimit(IServiceProvider services) => _services = services;

    public long? MaxRequestBodySize => Compute(_services.GetRequiredService<IOptions<CpsOptions>>().Value);

    public static long Compute(CpsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (long)options.Limits.MaxBlobsPerStore * options.EffectiveClasses.Max(c => c.Size);
    }
}
