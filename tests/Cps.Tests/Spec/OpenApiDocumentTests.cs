using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Spec;

/// <summary>
/// spec/api/cps.openapi.json is the document the service serves at /openapi/v1.json on its management listener (the
/// public listener serves the protocol and health only). The build writes it too (Microsoft.Extensions.ApiDescription.Server,
/// from the public application's endpoints); this test fails on any drift, and rewrites the file when the
/// environment variable STIR_UPDATE_SPEC=1 is set.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private const string CommittedPath = "spec/api/cps.openapi.json";

    [Fact]
    public async Task ServedDocument_IsTheCommittedOne()
    {
        var served = await ServedAsync();
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
        var document = await ServedAsync();

        var paths = document["paths"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["/health/live", "/health/ready", "/v1/config", "/v1/epochs/{epoch}/buckets/{bucket}"], paths);
        Assert.Null(document["servers"]);
        var store = document["paths"]!["/v1/epochs/{epoch}/buckets/{bucket}"]!["post"]!;
        Assert.Equal("binary", (string?)store["requestBody"]!["content"]!["application/octet-stream"]!["schema"]!["format"]);
        Assert.NotNull(store["responses"]!["201"]);
        Assert.NotNull(store["responses"]!["413"]!["content"]!["application/problem+json"]);
        Assert.Contains(store["parameters"]!.AsArray(), p => (string?)p!["name"] == "size" && (string?)p["in"] == "query" && (bool)p["required"]!);
        var retrieve = document["paths"]!["/v1/epochs/{epoch}/buckets/{bucket}"]!["get"]!;
        Assert.Equal("binary", (string?)retrieve["responses"]!["200"]!["content"]!["application/octet-stream"]!["schema"]!["format"]);
    }

    private static async Task<JsonNode> ServedAsync()
    {
        using var factory = new CpsFactory(settings: CpsFactory.ManagementSettings);
        using var http = new HttpClient();
        return JsonNode.Parse(await http.GetStringAsync(new Uri(factory.ManagementUrl, "openapi/v1.json")))!;
    }
}
