using Microsoft.Extensions.Options;
using Stir.Encrypted.DirectoryService.Configuration;
using Stir.Encrypted.DirectoryService.Hosting;
using Stir.Encrypted.DirectoryService.Storage;
using Stir.Encrypted.Jose;
using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.DirectoryService.Endpoints;

/// <summary>
/// <c>GET /v1/config</c>: what clients need to use the directory (spec/protocol.md §10 "Configuration"): the bucket
/// bits and answer size, the limits a publication must meet, the accepted suites, and where the versions stand.
/// </summary>
internal static class ConfigEndpoints
{
    public const string OperationId = "getConfiguration";
    public const int ProtocolVersion = 1;

    public static IEndpointRouteBuilder MapConfigEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/v1/config", GetAsync)
            .WithName(OperationId)
            .WithTags("Configuration")
            .WithSummary("The directory configuration document (spec/protocol.md §10)")
            .Produces(StatusCodes.Status200OK, contentType: DirectoryDocuments.Json);
        return routes;
    }

    private static async Task<IResult> GetAsync(IKeyRecordStore store, IOptions<DirectoryOptions> options, DirectoryTrust trust, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var status = await store.StatusAsync(cancellationToken);
        var writer = new CanonicalJsonWriter();
        writer.WriteObject(
        [
            new("bucketBits", w => w.WriteInteger(settings.BucketBits)),
            new("bucketBytes", w => w.WriteInteger(settings.BucketBytes)),
            new("clockSkewSeconds", w => w.WriteInteger(settings.ClockSkewSeconds)),
            new("directoryVersion", w => w.WriteInteger(status.Version)),
            new("maxRecordBytes", w => w.WriteInteger(KeyRecord.MaxTokenLength)),
            new("maxValidityDays", w => w.WriteInteger(settings.MaxValidityDays)),
            new("oldestChange", w => w.WriteInteger(status.OldestRetained)),
            new("suites", w => w.WriteArray(trust.Verifier.Options.Suites, (w2, s) => w2.WriteString(s.Name))),
            new("version", w => w.WriteInteger(ProtocolVersion)),
        ]);
        return new BytesResult(StatusCodes.Status200OK, writer.ToArray(), DirectoryDocuments.Json) { CacheControl = "no-cache" };
    }
}
