using System.Net;
using System.Security.Cryptography;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.ThreatModel;

/// <summary>
/// TM-06: a retrieval's bytes do not say which slot is real. Beside status, headers and length (compared in
/// RetrieveEndpointTests), the position of a real blob among the 16 must be uniform and fresh for every retrieval:
/// a service that put real blobs first, or in slot order, or shuffled once per bucket, would tell a poller which
/// blob to watch. Two real blobs stored in one bucket, retrieved 800 times: each one's position is uniform over the
/// 16 (chi-square), and consecutive retrievals place it independently.
/// </summary>
public sealed class RetrievalOrderTests : IDisposable
{
    private const int Retrievals = 800;
    private const int Slots = 16;

    // χ² with 15 degrees of freedom: P(χ² > 37.7) = 0.001; a fixed position gives 800 · 15 = 12 000.
    private const double Critical = 37.7;

    private readonly CpsFactory _cps = new(settings: new Dictionary<string, string?> { ["Cps:RateLimits:Retrieve:PermitLimit"] = "100000" });

    [Fact]
    [Trait("Claim", "TM-06")]
    public async Task RealBlobs_TakeUniformPositions_FreshForEveryRetrieval()
    {
        using var http = _cps.CreateClient();
        var epoch = CpsRequests.EpochAt(_cps.Time.GetUtcNow());
        var bucket = CpsRequests.Bucket(4242);
        var real = new[] { RandomNumberGenerator.GetBytes(2048), RandomNumberGenerator.GetBytes(2048) };
        foreach (var blob in real)
        {
            Assert.Equal(HttpStatusCode.Created, (await http.StoreAsync(epoch, bucket, blob)).StatusCode);
        }

        var counts = new long[real.Length, Slots];
        var repeats = new int[real.Length];
        var previous = new int[real.Length];
        for (var r = 0; r < Retrievals; r++)
        {
            var blobs = await http.RetrieveBlobsAsync(epoch, bucket);
            Assert.Equal(Slots, blobs.Count);
            for (var k = 0; k < real.Length; k++)
            {
                var position = blobs.FindIndex(b => b.AsSpan().SequenceEqual(real[k]));
                Assert.True(position >= 0, "a real blob is missing from its bucket's retrieval");
                counts[k, position]++;
                repeats[k] += r > 0 && position == previous[k] ? 1 : 0;
                previous[k] = position;
            }
        }

        for (var k = 0; k < real.Length; k++)
        {
            var expected = Retrievals / (double)Slots;
            var chi = Enumerable.Range(0, Slots).Sum(p => (counts[k, p] - expected) * (counts[k, p] - expected) / expected);
            Assert.True(chi < Critical, $"real blob {k}: positions are not uniform (χ² = {chi:F1} ≥ {Critical})");

            // Same position as the retrieval before: 1/16 of the time when each retrieval shuffles afresh (≈ 50 of 799,
            // σ ≈ 6.8); a shuffle fixed per bucket repeats every time.
            Assert.InRange(repeats[k], 20, 85);
        }
    }

    public void Dispose() => _cps.Dispose();
}
