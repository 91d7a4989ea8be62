using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.Cps.Tests.Storage;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.ThreatModel;

/// <summary>
/// TM-15: the CPS uses a client's address for one thing, the in-memory rate-limit partition; nothing it writes to
/// disk holds the address, in text or in binary, whatever the client did (stores, retrievals, refusals).
/// </summary>
public sealed class ClientAddressTests : IDisposable
{
    private static readonly string[] Addresses = ["203.0.113.77", "2001:db8:77:1::abcd"];
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    [Trait("Claim", "TM-15")]
    public async Task DataDirectory_AfterStoresRetrievalsAndRefusals_HoldsNoClientAddress()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(CpsFactory.DefaultStart);
        // The bucket lifetime the endpoints compute with the defaults: M + 2s = 70 s after the epoch.
        var options = LiteDbStoreFixture.Options(Path.Combine(_directory.Path, "cps"));
        options.BucketRetentionAfterEpoch = TimeSpan.FromSeconds(70);
        await using (var store = LiteDbBlobStore.Open(options, time))
        {
            using var cps = new CpsFactory(
                time: time,
                settings: new Dictionary<string, string?> { ["Cps:RateLimits:Store:PermitLimit"] = "3", ["Cps:RateLimits:Store:WindowSeconds"] = "60" },
                services: s => s.AddSingleton<IBlobStore>(store));
            using var http = cps.CreateClient();
            var epoch = CpsRequests.EpochAt(time.GetUtcNow());
            foreach (var address in Addresses)
            {
                for (var i = 0; i < 4; i++)
                {
                    var stored = await http.StoreAsync(epoch, CpsRequests.Bucket((uint)(100 + i)), RandomNumberGenerator.GetBytes(2048), clientAddress: address);
                    Assert.True((i < 3 ? HttpStatusCode.Created : HttpStatusCode.TooManyRequests) == stored.StatusCode, $"{stored.StatusCode}: {await stored.Content.ReadAsStringAsync()}\n{cps.Logs.All}");
                    Assert.Equal(HttpStatusCode.OK, (await http.RetrieveAsync(epoch, CpsRequests.Bucket((uint)(100 + i)), address)).StatusCode);
                }
            }
        }

        var files = DataDirectoryScan.Snapshot(_directory.Path);
        Assert.NotEmpty(files);
        Assert.All(Addresses, address => Assert.Empty(FilesContaining(files, address)));

        // The scan would see an address that was written: a file holding one is found, in each encoding.
        var control = Path.Combine(_directory.Path, "control.bin");
        File.WriteAllBytes(control, [.. Encoding.UTF8.GetBytes("x" + Addresses[0]), .. IPAddress.Parse(Addresses[1]).GetAddressBytes()]);
        var withControl = DataDirectoryScan.Snapshot(_directory.Path);
        Assert.All(Addresses, address => Assert.Equal(["control.bin"], FilesContaining(withControl, address)));
    }

    /// <summary>Files holding the address as UTF-8 or UTF-16 text (any canonical spelling) or as its raw bytes.</summary>
    private static List<string> FilesContaining(IReadOnlyList<(string Path, byte[] Bytes)> files, string address)
    {
        var ip = IPAddress.Parse(address);
        var needles = new List<byte[]> { ip.GetAddressBytes() };
        foreach (var text in new[] { address, ip.ToString(), ip.MapToIPv6().ToString() }.Distinct())
        {
            needles.Add(Encoding.UTF8.GetBytes(text));
            needles.Add(Encoding.Unicode.GetBytes(text));
        }

        return [.. files.Where(f => needles.Any(n => f.Bytes.AsSpan().IndexOf(n) >= 0)).Select(f => Path.GetFileName(f.Path))];
    }
}
