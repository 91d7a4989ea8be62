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

        // The scan would see an address that was written, in each form it looks for: a control file holding only that
        // form is found (and so a form the scan could not see fails here, not silently).
        foreach (var address in Addresses)
        {
            foreach (var (form, bytes) in Needles(address))
            {
                var control = Path.Combine(_directory.Path, "control.bin");
                File.WriteAllBytes(control, [.. "x"u8, .. bytes, .. "x"u8]);
                Assert.True(FilesContaining(DataDirectoryScan.Snapshot(_directory.Path), address).SequenceEqual(["control.bin"]), $"the scan misses {address} written as {form}");
                File.Delete(control);
            }
        }
    }

    /// <summary>Files holding the address in any of the forms of <see cref="Needles"/>.</summary>
    private static List<string> FilesContaining(IReadOnlyList<(string Path, byte[] Bytes)> files, string address)
    {
        var needles = Needles(address).Select(n => n.Bytes).ToList();
        return [.. files.Where(f => needles.Any(n => f.Bytes.AsSpan().IndexOf(n) >= 0)).Select(f => Path.GetFileName(f.Path))];
    }

    /// <summary>
    /// The forms a client address could be written in: UTF-8 or UTF-16 text of its canonical spellings (an IPv4
    /// address also IPv4-mapped), its raw bytes, and, for IPv6, the prefixes the CPS partitions clients by (/64 for
    /// rate limits, /48 for the per-storer cap) as text and raw bytes: a partition key written to disk names the
    /// subscriber as well as the full address does.
    /// </summary>
    private static List<(string Form, byte[] Bytes)> Needles(string address)
    {
        var ip = IPAddress.Parse(address);
        var needles = new List<(string, byte[])> { ("raw bytes", ip.GetAddressBytes()) };
        var texts = new List<string> { address, ip.ToString(), ip.MapToIPv6().ToString() };
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            foreach (var prefix in new[] { 64, 48 })
            {
                var bytes = ip.GetAddressBytes();
                bytes.AsSpan(prefix / 8).Clear();
                texts.Add(new IPAddress(bytes).ToString());
                needles.Add(($"the raw /{prefix} prefix", bytes[..(prefix / 8)]));
            }
        }

        foreach (var text in texts.Distinct())
        {
            needles.Add(($"UTF-8 \"{text}\"", Encoding.UTF8.GetBytes(text)));
            needles.Add(($"UTF-16 \"{text}\"", Encoding.Unicode.GetBytes(text)));
        }

        return needles;
    }
}
