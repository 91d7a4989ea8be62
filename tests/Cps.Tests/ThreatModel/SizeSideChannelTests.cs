using System.Net;
using System.Security.Cryptography;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.ThreatModel;

/// <summary>
/// TM-07: what a network observer can size. Retrievals are fixed (TM-06); here the store answer: a caller's store
/// into an empty bucket and into a bucket that already holds real blobs get byte-identical answers, so neither the
/// storer nor an observer of the response learns whether others' calls share the bucket.
/// </summary>
public sealed class SizeSideChannelTests : IDisposable
{
    private readonly CpsFactory _cps = new();
    private readonly HttpClient _http;

    public SizeSideChannelTests() => _http = _cps.CreateClient();

    public void Dispose()
    {
        _http.Dispose();
        _cps.Dispose();
    }

    [Fact]
    [Trait("Claim", "TM-07")]
    public async Task StoreAnswer_IntoAnEmptyBucketAndIntoOneHoldingRealBlobs_IsTheSameBytes()
    {
        var epoch = CpsRequests.EpochAt(_cps.Time.GetUtcNow());
        var busy = CpsRequests.Bucket(7);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await _http.StoreAsync(epoch, busy, RandomNumberGenerator.GetBytes(2048))).StatusCode);
        }

        var intoEmpty = await _http.StoreAsync(epoch, CpsRequests.Bucket(8), RandomNumberGenerator.GetBytes(2048));
        var intoBusy = await _http.StoreAsync(epoch, busy, RandomNumberGenerator.GetBytes(2048));

        Assert.Equal(HttpStatusCode.Created, intoEmpty.StatusCode);
        Assert.Equal(intoEmpty.StatusCode, intoBusy.StatusCode);
        Assert.Equal(Headers(intoEmpty), Headers(intoBusy));
        Assert.Equal(await intoEmpty.Content.ReadAsByteArrayAsync(), await intoBusy.Content.ReadAsByteArrayAsync());
    }

    private static List<string> Headers(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date").Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order(StringComparer.Ordinal)];
}
