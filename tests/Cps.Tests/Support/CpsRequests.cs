using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>Requests of the CPS HTTP API (spec/protocol.md §8) as tests send them.</summary>
internal static class CpsRequests
{
    public const int EpochSeconds = 3600;

    public static ulong EpochAt(DateTimeOffset time) => (ulong)time.ToUnixTimeSeconds() / EpochSeconds;

    public static string Path(ulong epoch, string bucket) => $"/v1/epochs/{epoch.ToString(CultureInfo.InvariantCulture)}/buckets/{bucket}";

    public static string Bucket(uint bucket, int bits = 14) => BlobIndex.FormatBucket(bucket, bits);

    public static Task<HttpResponseMessage> StoreAsync(this HttpClient client, ulong epoch, string bucket, byte[] body, int size = 2048, string contentType = "application/octet-stream", string? clientAddress = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{Path(epoch, bucket)}?size={size}", UriKind.Relative)) { Content = content };
        if (clientAddress is not null)
        {
            request.Headers.Add(TestClientAddress.Header, clientAddress);
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> RetrieveAsync(this HttpClient client, ulong epoch, string bucket, string? clientAddress = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Path(epoch, bucket), UriKind.Relative));
        if (clientAddress is not null)
        {
            request.Headers.Add(TestClientAddress.Header, clientAddress);
        }

        return client.SendAsync(request);
    }

    /// <summary>Retrieves and splits the answer into its blobs, checking the status and length.</summary>
    public static async Task<List<byte[]>> RetrieveBlobsAsync(this HttpClient client, ulong epoch, string bucket, int size = 2048, int slots = 16)
    {
        using var response = await client.RetrieveAsync(epoch, bucket);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"retrieval answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }

        Assert.Equal(size * slots, body.Length);
        return [.. body.Chunk(size)];
    }

    /// <summary>Reads a problem+json answer, checking the media type and the RFC 9457 members.</summary>
    public static async Task<JsonObject> ProblemAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal((int)response.StatusCode, (int)json["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)json["title"]));
        Assert.False(string.IsNullOrEmpty((string?)json["detail"]));
        return json;
    }

    public static string ProblemName(this JsonObject problem)
    {
        var type = (string)problem["type"]!;
        Assert.StartsWith("https://stir-encrypted.org/problems/", type, StringComparison.Ordinal);
        return type["https://stir-encrypted.org/problems/".Length..];
    }
}
