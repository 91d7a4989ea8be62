using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Stir.Encrypted.CpsService.Endpoints;

namespace Stir.Encrypted.CpsService.Hosting;

/// <summary>
/// The OpenAPI document of the public endpoints (committed as spec/api/cps.openapi.json, written by the build from
/// the public application's endpoints): endpoint metadata plus what metadata cannot say (binary bodies), and no
/// <c>servers</c> (they belong to a deployment). Served at <see cref="DocumentPath"/> on the management listener
/// only (<see cref="ManagementListener"/>); the public listener serves the protocol and health, nothing else.
/// </summary>
internal static class CpsOpenApi
{
    public const string DocumentName = "v1";

    public const string DocumentPath = "/openapi/" + DocumentName + ".json";

    /// <summary>The document as JSON, as the CPS application (<paramref name="cps"/>, its services) generates it from its own endpoints.</summary>
    public static async Task<byte[]> RenderDocumentAsync(IServiceProvider cps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cps);
        var provider = cps.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
        var version = cps.GetRequiredService<IOptionsMonitor<OpenApiOptions>>().Get(DocumentName).OpenApiVersion;
        var document = await provider.GetOpenApiDocumentAsync(cancellationToken);
        using var json = new MemoryStream();
        await document.SerializeAsJsonAsync(json, version, cancellationToken);
        return json.ToArray();
    }

    public static IServiceCollection AddCpsOpenApi(this IServiceCollection services) => services.AddOpenApi(DocumentName, options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Stir.Encrypted Call Placement Service",
                Version = "1",
                Description = "Stores and serves fixed-size encrypted blobs by (epoch, bucket), mixing real blobs with decoys (spec/protocol.md §8–§9). Errors are application/problem+json with the types of spec/api/problems.md.",
            };
            document.Servers?.Clear();
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
            if (name is StoreEndpoints.OperationId or RetrieveEndpoints.OperationId)
            {
                foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
                {
                    parameter.Description = parameter.Name switch
                    {
                        "epoch" => "The epoch, floor(unix time / epochSeconds), in decimal without leading zeros; only the epochs of spec/protocol.md §8 are accepted at a given time.",
                        "bucket" => "The bucket, exactly ⌈bucketBits/4⌉ lowercase hexadecimal digits with a value below 2^bucketBits.",
                        _ => parameter.Description,
                    };
                }
            }

            if (name == StoreEndpoints.OperationId)
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "size",
                    In = ParameterLocation.Query,
                    Required = true,
                    Description = "The size class of the blobs in bytes: one of the configuration document's class sizes.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                });
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "k × size bytes: 1 to maxBlobsPerStore blobs of the class named by `size`, concatenated.",
                    Content = new Dictionary<string, OpenApiMediaType> { [RetrieveEndpoints.OctetStream] = new() { Schema = Binary() } },
                };
            }
            else if (name == RetrieveEndpoints.OperationId && operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content is { } content)
            {
                content[RetrieveEndpoints.OctetStream] = new OpenApiMediaType { Schema = Binary() };
            }

            return Task.CompletedTask;
        });
    });

    private static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };
}
