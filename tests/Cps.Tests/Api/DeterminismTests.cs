using System.Security.Cryptography;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Api;

/// <summary>
/// Decoys are a function of the shared store (K_cover and the bucket's slot events) and the time: two nodes, or
/// one node before and after a restart, serve the same blobs for the same bucket at the same time (spec §9).
/// </summary>
public sealed class DeterminismTests
{
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);

    [Fact]
    [Trait("Claim", "TM-05")]
    public async Task TwoNodesSharingAStore_ServeTheSameBlobsAtTheSameTimes()
    {
        using var nodeA = new CpsFactory();
        using var nodeB = new CpsFactory(store: nodeA.Store, time: nodeA.Time);
        using var clientA = nodeA.CreateClient();
        using var clientB = nodeB.CreateClient();
        var random = new Random(4);

        for (var step = 0; step < 40; step++)
        {
            if (step % 5 == 0)
            {
                var writer = step % 10 == 0 ? clientA : clientB;
                await writer.StoreAsync(Epoch, "2222", RandomNumberGenerator.GetBytes(2048));
            }

            Assert.Equal(Set(await clientA.RetrieveBlobsAsync(Epoch, "2222")), Set(await clientB.RetrieveBlobsAsync(Epoch, "2222")));
            Assert.Equal(Set(await clientA.RetrieveBlobsAsync(Epoch, "3333")), Set(await clientB.RetrieveBlobsAsync(Epoch, "3333")));
            nodeA.Time.Advance(TimeSpan.FromMilliseconds(random.Next(100, 6000)));
        }
    }

    [Fact]
    [Trait("Claim", "TM-05")]
    public async Task ARestartedNode_ServesTheSameBlobsAsBefore()
    {
        var first = new CpsFactory();
        var client = first.CreateClient();
        using (var stored = await client.StoreAsync(Epoch, "1444", RandomNumberGenerator.GetBytes(3 * 2048)))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, stored.StatusCode);
        }

        first.Time.Advance(TimeSpan.FromSeconds(7));
        var before = Set(await client.RetrieveBlobsAsync(Epoch, "1444"));
        var emptyBefore = Set(await client.RetrieveBlobsAsync(Epoch, "1555"));
        client.Dispose();
        await first.DisposeAsync();

        using var restarted = new CpsFactory(store: first.Store, time: first.Time);
        using var again = restarted.CreateClient();

        Assert.Equal(before, Set(await again.RetrieveBlobsAsync(Epoch, "1444")));
        Assert.Equal(emptyBefore, Set(await again.RetrieveBlobsAsync(Epoch, "1555")));
    }

    [Fact]
    public async Task NodesWithDifferentStores_ServeDifferentDecoys()
    {
        using var nodeA = new CpsFactory();
        using var nodeB = new CpsFactory(time: nodeA.Time);
        using var clientA = nodeA.CreateClient();
        using var clientB = nodeB.CreateClient();

        var a = await clientA.RetrieveBlobsAsync(Epoch, "2222");
        var b = await clientB.RetrieveBlobsAsync(Epoch, "2222");

        Assert.Empty(a.Select(Convert.ToHexString).Intersect(b.Select(Convert.ToHexString)));
    }

    [Fact]
    public async Task Decoys_PersistBetweenRetrievalsAndRenewOverTime()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();

        var t0 = Set(await client.RetrieveBlobsAsync(Epoch, "1666"));
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        var t1 = Set(await client.RetrieveBlobsAsync(Epoch, "1666"));
        factory.Time.Advance(TimeSpan.FromSeconds(60));
        var t61 = Set(await client.RetrieveBlobsAsync(Epoch, "1666"));

        // Mean occupancy is about 30 s: in one second few slots renew; after the maximum lifetime all have.
        Assert.True(t0.Split(',').Intersect(t1.Split(',')).Count() >= 12, "most decoys should persist for a second");
        Assert.Empty(t0.Split(',').Intersect(t61.Split(',')));
    }

    private static string Set(List<byte[]> blobs) => string.Join(",", blobs.Select(Convert.ToHexString).Order(StringComparer.Ordinal));
}
