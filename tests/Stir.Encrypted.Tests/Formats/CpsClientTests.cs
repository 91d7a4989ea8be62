using System.Text;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Tests.Support;
using static Stir.Encrypted.Tests.Support.LoopbackHttpServer;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>The CPS is untrusted: its answers are checked before use.</summary>
public sealed class CpsClientTests
{
    private static byte[] ConfigJson(int memoryKiB = 19456) =>
        Encoding.UTF8.GetBytes(new CpsConfiguration(
            new IndexParameters(new byte[32], memoryKiB, 2, 14, 3600), [new SizeClass(256, 8)], RetentionPolicy.Default, false, 8, 5).ToJson().ToJsonString());

    [Fact]
    public async Task Retrieve_AnswerOfTheWrongLength_IsRefused()
    {
        await using var server = new LoopbackHttpServer();
        server.Map("/v1/config", new Reply(200, "application/json", ConfigJson()));
        server.Map("/v1/epochs/5/buckets/0abc", new Reply(200, "application/octet-stream", new byte[(256 * 8) - 1]));
        var client = new CpsClient(new HttpClient(), new Uri(server.BaseUrl));

        var ex = await Assert.ThrowsAsync<CpsProblemException>(() => client.RetrieveAsync(5, "0abc"));

        Assert.Equal("bad-response", ex.Type);
        Assert.Contains("exactly 2048", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_RightLength_SplitsIntoSlots()
    {
        await using var server = new LoopbackHttpServer();
        server.Map("/v1/config", new Reply(200, "application/json", ConfigJson()));
        server.Map("/v1/epochs/5/buckets/0abc", new Reply(200, "application/octet-stream", [.. Enumerable.Range(0, 2048).Select(i => (byte)(i / 256))]));
        var client = new CpsClient(new HttpClient(), new Uri(server.BaseUrl));

        var blobs = await client.RetrieveAsync(5, "0abc");

        Assert.Equal(8, blobs.Count);
        Assert.All(blobs.Select((b, i) => (b, i)), x => Assert.All(x.b.ToArray(), v => Assert.Equal(x.i, v)));
    }

    [Fact]
    public async Task Configuration_WeakerThanTheClientMinimum_IsRefused()
    {
        await using var server = new LoopbackHttpServer();
        server.Map("/v1/config", new Reply(200, "application/json", ConfigJson(memoryKiB: 64)));
        var client = new CpsClient(new HttpClient(), new Uri(server.BaseUrl));

        var ex = await Assert.ThrowsAsync<CpsProblemException>(() => client.GetConfigurationAsync());

        Assert.Contains("memoryKiB", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Problem_IsReadWithItsTypeAndRetryAfter()
    {
        await using var server = new LoopbackHttpServer();
        server.Map("/v1/config", new Reply(200, "application/json", ConfigJson()));
        var problem = Encoding.UTF8.GetBytes("{\"type\":\"https://stir-encrypted.org/problems/bucket-full\",\"title\":\"Bucket full\",\"status\":503,\"detail\":\"this bucket holds 15 real blobs\"}");
        server.Map("/v1/epochs/5/buckets/0abc", new Reply(503, "application/problem+json", problem));
        var client = new CpsClient(new HttpClient(), new Uri(server.BaseUrl));

        var ex = await Assert.ThrowsAsync<CpsProblemException>(() => client.RetrieveAsync(5, "0abc"));

        Assert.Equal("bucket-full", ex.Type);
        Assert.Equal(503, ex.Status);
        Assert.Contains("15 real blobs", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_OrSilent_IsABoundedProblem()
    {
        await using var server = new LoopbackHttpServer();
        server.Map("/v1/config", Reply.NoAnswer());
        var silent = new CpsClient(new HttpClient(), new Uri(server.BaseUrl), new CpsClientOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        var closed = new CpsClient(new HttpClient(), new Uri("http://127.0.0.1:1/"));

        Assert.Equal("unreachable", (await Assert.ThrowsAsync<CpsProblemException>(() => silent.GetConfigurationAsync())).Type);
        Assert.Equal("unreachable", (await Assert.ThrowsAsync<CpsProblemException>(() => closed.GetConfigurationAsync())).Type);
    }
}
