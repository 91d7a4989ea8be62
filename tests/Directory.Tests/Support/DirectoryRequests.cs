using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Stir.Encrypted.DirectoryService.Tests.Support;

/// <summary>Requests to the directory as the wire format has them (spec/protocol.md §10), for the API tests.</summary>
internal static class DirectoryRequests
{
    public static async Task<HttpResponseMessage> PublishAsync(this HttpClient client, string token, string mediaType = "application/jose")
    {
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(token));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await client.PostAsync(new Uri("/v1/records", UriKind.Relative), content);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return doc.RootElement.Clone();
    }

    public static async Task<List<string>> RecordsAsync(this HttpClient client, string tn)
    {
        using var response = await client.GetAsync(new Uri($"/v1/numbers/{Uri.EscapeDataString(tn)}/records", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return [.. (await response.JsonAsync()).GetProperty("records").EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>The snapshot document, decompressed, and its version.</summary>
    public static async Task<(byte[] Json, long Version)> SnapshotAsync(this HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/v1/snapshot", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var gzip = new GZipStream(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), CompressionMode.Decompress);
        using var json = new MemoryStream();
        await gzip.CopyToAsync(json);
        var bytes = json.ToArray();
        using var doc = JsonDocument.Parse(bytes);
        return (bytes, doc.RootElement.GetProperty("version").GetInt64());
    }
}
