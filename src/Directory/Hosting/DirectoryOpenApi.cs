using Microsoft.OpenApi;
using Stir.Encrypted.DirectoryService.Endpoints;

namespace Stir.Encrypted.DirectoryService.Hosting;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>, committed as spec/api/directory.openapi.json): endpoint metadata
/// plus what metadata cannot say (parameter rules, the JWS body, the gzip snapshot), and no <c>servers</c>.
/// </summary>
internal static class DirectoryOpenApi
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddDirectoryOpenApi(this IServiceCollection services) => services.AddOpenApi(DocumentName, options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Stir.Encrypted credential directory",
                Version = "1",
                Description = "Publishes signed HPKE key records of telephone-number holders and serves them by number, by bucket, or as a snapshot with changes (spec/protocol.md §10). Clients verify every record themselves. Errors are application/problem+json with the types of spec/api/problems.md.",
            };
            document.Servers?.Clear();
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                parameter.Description = parameter.Name switch
                {
                    "tn" => "The number in canonical form (RFC 8224 §8.3): digits, '#' (written %23) and '*', 1 to 15 characters, no '+'.",
                    "bucket" => "The bucket: exactly ⌈bucketBits/4⌉ lowercase hexadecimal digits with a value below 2^bucketBits.",
                    _ => parameter.Description,
                };
            }

            if (name == SyncEndpoints.ChangesOperationId)
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "since",
                    In = ParameterLocation.Query,
                    Required = true,
                    Description = "The version the client has (of the snapshot, or of the last changes applied), in decimal.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
                });
            }
            else if (name == ZoneEndpoints.OperationId)
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "apex",
                    In = ParameterLocation.Query,
                    Required = true,
                    Description = "The ENUM apex of the zone, e.g. e164.arpa.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
            else if (name == PublishEndpoints.OperationId)
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The key record or revocation: its compact JWS serialization (RFC 7515 §7.1), at most 16384 bytes.",
                    Content = new Dictionary<string, OpenApiMediaType> { [PublishEndpoints.MediaType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                };
            }

            return Task.CompletedTask;
        });
    });
}
