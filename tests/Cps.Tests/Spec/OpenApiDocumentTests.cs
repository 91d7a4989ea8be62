using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Spec;

/// <summary>
/// spec/api/cps.openapi.json is the document the service serves at /openapi/v1.json. The build writes it too
/// (Microsoft.Extensions.ApiDescription.Server); this test fails on any drift, and rewrites the file when the
/// environment variable STIR_UPDATE_SPEC=1 is set.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private const string CommittedPath = "spec/api/cps.openapi.json";

    [Fact]
    public async Task ServedDocument_IsTheCommittedOne()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        var served = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;
        var path = RepositoryFiles.PathOf(CommittedPath);

        if (Environment.GetEnvironmentVariable("STIR_UPDATE_SPEC") == "1" && (!File.Exists(path) || !JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(path)), served)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            await File.WriteAllTextAsync(path, served.ToJsonString(options));
        }

        Assert.True(File.Exists(path), $"{CommittedPath} is missing; run the tests with STIR_UPDATE_SPEC=1 to write it");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.True(JsonNode.DeepEquals(committed, served), $"{CommittedPath} differs from /openapi/v1.json; rebuild, or run the tests with STIR_UPDATE_SPEC=1, and review the diff");
    }

    [Fact]
    public async Task ServedDocument_DescribesEveryEndpointAndNoServer()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["/health/live", "/health/ready", "/metrics", "/v1/config", "/v1/epochs/{epoch}/buckets/{bucket}"], paths);
        Assert.Null(document["servers"]);
        var store = document["paths"]!["/v1/epochs/{epoch}/buckets/{bucket}"]!["post"]!;
        Assert.Equal("binary", (string?)store["requestBody"]!["content"]!["application/octet-stream"]!["schema"]!["format"]);
        Assert.NotNull(store["responses"]!["201"]);
        Assert.NotNull(store["responses"]!["413"]!["content"]!["application/problem+json"]);
        Assert.Contains(store["parameters"]!.AsArray(), p => (string?)p!["name"] == "size" && (string?)p["in"] == "query" && (bool)p["required"]!);
        var retrieve = document["paths"]!["/v1/epochs/{epoch}/buckets/{bucket}"]!["get"]!;
        Assert.Equal("binary", (string?)retrieve["responses"]!["200"]!["content"]!["application/octet-stream"]!["schema"]!["format"]);
    }
}
