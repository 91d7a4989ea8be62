using System.Text.Json;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.DirectoryService.Tests.Client;

/// <summary>
/// Snapshot plus changes reproduce the directory exactly: over seeded random sequences of publications,
/// supersessions and revocations by several holders, with clients syncing at random moments (some only once, at
/// the end; the change log short and paged so that some must fall back to the snapshot), every client's copy
/// equals the directory's snapshot, entry for entry and version for version.
/// </summary>
public sealed class SyncPropertyTests
{
    [Theory]
    [InlineData(20301, "1000", "1000")]
    [InlineData(20302, "7", "3")]
    [InlineData(20303, "3", "1")]
    public async Task RandomPublishRevokeSequences_ClientCopyEqualsTheDirectory(int seed, string retention, string pageSize)
    {
        using var rig = new ClientRig(new Dictionary<string, string?> { ["Directory:ChangeLogRetention"] = retention, ["Directory:ChangesPerPage"] = pageSize });
        var random = new Random(seed);
        var holders = new[] { rig.Carrier, rig.Pki.Issue("reseller", "range:12025550100+100"), rig.Pki.Issue("user", "one:12025550123") };
        var numbers = new[] { "12025550123", "12025550100+100", "12025550123" };
        var seqs = new Dictionary<(int, string), long>();
        var clients = Enumerable.Range(0, 3).Select(_ => rig.NewClient().Client).ToList();
        var syncs = 0;
        var snapshots = 0;

        for (var step = 0; step < 60; step++)
        {
            var h = random.Next(holders.Length);
            var rid = $"h{h}-k{random.Next(4)}"; // rids belong to the holder that first publishes them
            var next = seqs.GetValueOrDefault((h, rid)) + 1 + random.Next(2);
            var entry = random.Next(4) == 0
                ? holders[h].Revocation(rid, next)
                : holders[h].Record(rid, next, [numbers[h]], days: 1 + random.Next(30));
            await rig.PublishAsync(entry);
            seqs[(h, rid)] = next;
            if (random.Next(5) == 0)
            {
                rig.Pki.Time.Advance(TimeSpan.FromHours(random.Next(1, 30)));
            }

            // Clients 0 and 1 sync now and then; client 2 only at the end.
            for (var c = 0; c < 2; c++)
            {
                if (random.Next(6) == 0)
                {
                    var result = await clients[c].SyncAsync();
                    syncs++;
                    snapshots += result.UsedSnapshot ? 1 : 0;
                    await AssertCopyEqualsDirectoryAsync(rig, clients[c]);
                }
            }
        }

        foreach (var client in clients)
        {
            _ = await client.SyncAsync();
            await AssertCopyEqualsDirectoryAsync(rig, client);
        }

        Assert.True(syncs > 5, $"only {syncs} intermediate syncs");
        if (retention == "3")
        {
            Assert.True(snapshots > 2, "with a log of 3 changes, later syncs must fall back to the snapshot");
        }
    }

    private static async Task AssertCopyEqualsDirectoryAsync(ClientRig rig, DirectoryClient client)
    {
        var (json, version) = await rig.Admin.SnapshotAsync();
        using var doc = JsonDocument.Parse(json);
        var server = doc.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetString()!).ToList();

        Assert.Equal(version, client.SyncedVersion);
        Assert.Equal(server, client.SyncedEntries.Values);
        Assert.Equal(server.Select(t => KeyRecord.Parse(t).EntryKey), client.SyncedEntries.Keys);
    }
}
