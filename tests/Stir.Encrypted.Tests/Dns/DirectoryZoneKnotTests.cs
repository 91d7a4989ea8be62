using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>
/// The credential directory's ENUM zone export (spec/protocol.md §10 "Zone export") loads in the real Knot DNS
/// server as exported, and the project's ENUM resolver finds, through Knot, the configured CPS and directory URLs
/// for every served number and range, and nothing for a revoked record's number or an unpublished one.
/// </summary>
public sealed class DirectoryZoneKnotTests : IAsyncLifetime
{
    private const string Apex = "dir.stir.example.";
    private static readonly Uri CpsUrl = new("https://cps.example.net/v1/");
    private static readonly Uri DirectoryUrl = new("https://dir.example.net/");

    private readonly string _dir = Directory.CreateTempSubdirectory("stir-directory-zone-").FullName;
    private readonly KeyRecordPki _pki = new(new FakeTimeProvider(DateTimeOffset.UtcNow));
    private LoopbackDirectory? _directory;

    public async Task InitializeAsync()
    {
        var anchors = Path.Combine(_dir, "anchors.pem");
        File.WriteAllText(anchors, _pki.RootPem);
        _directory = await LoopbackDirectory.StartAsync(anchors, Path.Combine(_dir, "data"), new Dictionary<string, string>
        {
            ["Directory:Enum:CpsUrl"] = CpsUrl.AbsoluteUri,
            ["Directory:Enum:DirectoryUrl"] = DirectoryUrl.AbsoluteUri,
            ["Directory:Enum:NameServer"] = "ns.example.net",
            ["Directory:Enum:Hostmaster"] = "hostmaster.example.net",
        });
    }

    public async Task DisposeAsync()
    {
        if (_directory is not null)
        {
            await _directory.DisposeAsync();
        }

        _pki.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    [Trait("Claim", "TM-30")]
    public async Task ExportedZone_LoadsInKnot_AndResolvesServedNumbersToTheConfiguredUrls()
    {
        var carrier = _pki.Issue("carrier", "range:12025550000+10000");
        var user = _pki.Issue("user", "one:12025559876");
        using var http = new HttpClient { BaseAddress = _directory!.BaseUrl };
        await PublishAsync(http, carrier.Record("one", 1, ["12025550123"]).Token);
        await PublishAsync(http, carrier.Record("block", 1, ["12025551000+1000", "12025552005+20"]).Token);
        await PublishAsync(http, carrier.Record("gone", 1, ["12025550777"]).Token);
        await PublishAsync(http, carrier.Revocation("gone", 2).Token);
        await PublishAsync(http, user.Record("u", 1, ["12025559876"]).Token);

        var zone = await http.GetStringAsync(new Uri($"v1/enum/zone?apex={Apex.TrimEnd('.')}", UriKind.Relative));
        Assert.Contains("IN\tSOA", zone.Replace(' ', '\t'), StringComparison.Ordinal);
        using var knot = await KnotServer.StartAsync(new Dictionary<string, string> { [Apex] = zone });
        var options = new EnumResolverOptions { EnumApex = Apex, Timeout = TimeSpan.FromSeconds(3), CacheCapacity = 0 };
        options.NameServers.Add(knot.EndPoint);
        var resolver = new EnumResolver(options);

        foreach (var served in new[] { "+12025550123", "+12025551000", "+12025551999", "+12025552005", "+12025552024", "+12025559876" })
        {
            var result = await resolver.DiscoverAsync(TelephoneNumber.ParseE164(served));
            Assert.True(result.Found, $"{served}: {result.DnsError} {string.Join("; ", result.Problems)}\n{zone}");
            Assert.Equal(CpsUrl.AbsoluteUri, Assert.Single(result.Cps).Url.AbsoluteUri);
            Assert.Equal(DirectoryUrl.AbsoluteUri, Assert.Single(result.Directory).Url.AbsoluteUri);
            Assert.Equal(DiscoverySource.Dns, result.CpsSource);
            Assert.Equal(DiscoverySource.Dns, result.DirectorySource);
        }

        // A revoked record's number, numbers just outside the ranges, and one nobody published: nothing.
        foreach (var absent in new[] { "+12025550777", "+12025552004", "+12025552025", "+12025550124", "+12025553000" })
        {
            var result = await resolver.DiscoverAsync(TelephoneNumber.ParseE164(absent));
            Assert.False(result.Found, $"{absent} resolved to {string.Join(", ", result.Cps.Select(c => c.Url))}");
        }
    }

    private static async Task PublishAsync(HttpClient http, string token)
    {
        using var content = new StringContent(token);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/jose");
        using var response = await http.PostAsync(new Uri("v1/records", UriKind.Relative), content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
