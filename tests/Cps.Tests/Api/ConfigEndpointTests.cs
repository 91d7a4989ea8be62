using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Api;

public sealed class ConfigEndpointTests
{
    [Fact]
    public async Task Config_WithDefaults_PublishesTheVersion1DocumentWithTheStoresSalt()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/v1/config", UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        var parsed = CpsConfiguration.Parse(body);
        var salt = await factory.Store.GetIndexSaltAsync(default);
        Assert.Equal(salt.ToArray(), parsed.Index.Salt.ToArray());
        Assert.Equal(3600, parsed.Index.EpochSeconds);
        Assert.Equal(14, parsed.Index.BucketBits);
        Assert.Equal(19456, parsed.Index.MemoryKiB);
        Assert.Equal(2, parsed.Index.Iterations);
        var only = Assert.Single(parsed.Classes);
        Assert.Equal((2048, 16), (only.Size, only.Slots));
        Assert.Equal(RetentionPolicy.Default, parsed.Retention);
        Assert.Equal(4, parsed.MaxBlobsPerStore);
        Assert.Equal(5, parsed.ClockSkewSeconds);
        Assert.False(parsed.StoreAuthenticationRequired);
        Assert.True(JsonNode.DeepEquals(parsed.ToJson(), JsonNode.Parse(body)));
    }

    [Fact]
    public async Task Config_WithConfiguredValues_PublishesThem()
    {
        var salt = System.Buffers.Text.Base64Url.EncodeToString(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var settings = new Dictionary<string, string?>
        {
            ["Cps:Index:Salt"] = salt,
            ["Cps:Index:MemoryKiB"] = "65536",
            ["Cps:Index:Iterations"] = "3",
            ["Cps:Index:BucketBits"] = "12",
            ["Cps:EpochSeconds"] = "1800",
            ["Cps:Classes:0:Size"] = "4096",
            ["Cps:Classes:0:Slots"] = "8",
            ["Cps:Classes:1:Size"] = "1024",
            ["Cps:Classes:1:Slots"] = "24",
            ["Cps:Retention:MinSeconds"] = "15",
            ["Cps:Retention:MeanExtraSeconds"] = "5",
            ["Cps:Retention:MaxSeconds"] = "45",
            ["Cps:Limits:MaxBlobsPerStore"] = "4",
            ["Cps:Limits:ClockSkewSeconds"] = "2",
        };
        using var factory = new CpsFactory(settings: settings);
        using var client = factory.CreateClient();

        var json = JsonNode.Parse(await client.GetStringAsync(new Uri("/v1/config", UriKind.Relative)))!;

        var expected = JsonNode.Parse($$$"""
            {"version":1,"suite":"x25519-sha256-chacha20poly1305","epochSeconds":1800,
             "index":{"function":"argon2id","memoryKiB":65536,"iterations":3,"parallelism":1,"salt":"{{{salt}}}","bucketBits":12},
             "classes":[{"size":1024,"slots":24},{"size":4096,"slots":8}],
             "retention":{"minSeconds":15,"meanExtraSeconds":5,"maxSeconds":45},
             "storeAuthentication":"off","limits":{"maxBlobsPerStore":4,"clockSkewSeconds":2}}
            """);
        Assert.True(JsonNode.DeepEquals(expected, json), json!.ToJsonString());
    }

    [Fact]
    public async Task Config_IfNoneMatchWithTheETag_Answers304WithoutBody()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        using var first = await client.GetAsync(new Uri("/v1/config", UriKind.Relative));
        var etag = first.Headers.ETag!;

        foreach (var tag in new[] { etag, new EntityTagHeaderValue(etag.Tag, isWeak: true), EntityTagHeaderValue.Any })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/config", UriKind.Relative));
            request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\""));
            request.Headers.IfNoneMatch.Add(tag);
            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            Assert.Equal(etag, response.Headers.ETag);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Config_IfNoneMatchWithAnotherETag_AnswersTheDocument()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/config", UriKind.Relative));
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"stale\""));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        CpsConfiguration.Parse(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Config_OnTwoNodesSharingAStore_IsTheSameDocumentAndETag()
    {
        using var a = new CpsFactory();
        using var b = new CpsFactory(store: a.Store, time: a.Time);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        using var fromA = await clientA.GetAsync(new Uri("/v1/config", UriKind.Relative));
        using var fromB = await clientB.GetAsync(new Uri("/v1/config", UriKind.Relative));

        Assert.Equal(fromA.Headers.ETag, fromB.Headers.ETag);
        Assert.Equal(await fromA.Content.ReadAsByteArrayAsync(), await fromB.Content.ReadAsByteArrayAsync());
    }
}
