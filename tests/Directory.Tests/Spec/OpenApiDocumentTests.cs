using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Spec;

/// <summary>
/// spec/api/directory.openapi.json is the document the service serves at /openapi/v1.json; this test fails on any
/// drift, and rewrites the file when the environment variable STIR_UPDATE_SPEC=1 is set (then review the diff).
/// </summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private const string CommittedPath = "spec/api/directory.openapi.json";
    private readonly KeyRecordPki _pki = new();

    [Fact]
    public async Task ServedDocument_IsTheCommittedOne()
    {
        var served = await ServedAsync();
        var path = RepositoryFiles.PathOf(CommittedPath);

        if (Environment.GetEnvironmentVariable("STIR_UPDATE_SPEC") == "1" && (!File.Exists(path) || !JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(path)), served)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            await File.WriteAllTextAsync(path, served.ToJsonString(options) + "\n");
        }

        Assert.True(File.Exists(path), $"{CommittedPath} is missing; run the tests with STIR_UPDATE_SPEC=1 to write it");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.True(JsonNode.DeepEquals(committed, served), $"{CommittedPath} differs from /openapi/v1.json; run the tests with STIR_UPDATE_SPEC=1 and review the diff");
    }

    [Fact]
    public async Task ServedDocument_DescribesEveryEndpointAndNoServer()
    {
        var document = await ServedAsync();

        var paths = document["paths"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["/health/live", "/health/ready", "/v1/buckets/{bucket}", "/v1/changes", "/v1/config", "/v1/enum/zone", "/v1/numbers/{tn}/records", "/v1/records", "/v1/snapshot"], paths);
        Assert.Null(document["servers"]);
        var publish = document["paths"]!["/v1/records"]!["post"]!;
        Assert.NotNull(publish["requestBody"]!["content"]!["application/jose"]);
        Assert.NotNull(publish["responses"]!["422"]!["content"]!["application/problem+json"]);
        var changes = document["paths"]!["/v1/changes"]!["get"]!;
        Assert.Contains(changes["parameters"]!.AsArray(), p => (string?)p!["name"] == "since" && (string?)p["in"] == "query" && (bool)p["required"]!);
    }

    public void Dispose() => _pki.Dispose();

    private async Task<JsonNode> ServedAsync()
    {
        using var factory = new DirectoryFactory(_pki);
        using var client = factory.CreateClient();
        return JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;
    }
}
