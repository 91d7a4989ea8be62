using System.Net;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.DirectoryService.Tests.Api;

/// <summary>
/// <c>GET /v1/enum/zone</c>: the ENUM zone of the numbers served, written by the Discovery zone writer with the
/// configured URLs. (That it loads and resolves in a real DNS server is DnsZoneExportKnotTests.)
/// </summary>
public sealed class ZoneExportTests : IDisposable
{
    private readonly KeyRecordPki _pki = new();
    private readonly KeyRecordPki.Holder _carrier;

    public ZoneExportTests()
    {
        _carrier = _pki.Issue("carrier", "range:12025550000+10000", "one:*67");
    }

    [Fact]
    public async Task Zone_HasNaptrRecordsForEveryServedE164NumberAndRange_WithTheConfiguredUrls()
    {
        using var factory = Configured();
        using var client = factory.CreateClient();
        foreach (var token in new[]
        {
            _carrier.Record("a", 1, ["12025550123", "*67"]).Token,
            _carrier.Record("b", 1, ["12025550200+100"]).Token,
            _carrier.Record("gone", 1, ["12025550999"], days: 1).Token,
            _carrier.Record("revoked", 1, ["12025550888"]).Token,
            _carrier.Revocation("revoked", 2).Token,
        })
        {
            using var r = await client.PublishAsync(token);
            Assert.True(r.IsSuccessStatusCode);
        }

        _pki.Time.Advance(TimeSpan.FromDays(2));
        using var response = await client.GetAsync(new Uri("/v1/enum/zone?apex=enum.example.test", UriKind.Relative));
        var zone = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/dns", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("enum.example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 5 ", zone, StringComparison.Ordinal);
        Assert.Contains("3.2.1.0.5.5.5.2.0.2.1.enum.example.test. 300 IN NAPTR 100 10 \"u\" \"E2U+x-stir-cps:https\" \"!^.*$!https://cps.example.test/v1/!\" .", zone, StringComparison.Ordinal);
        Assert.Contains("3.2.1.0.5.5.5.2.0.2.1.enum.example.test. 300 IN NAPTR 100 20 \"u\" \"E2U+x-stir-dir:https\" \"!^.*$!https://dir.example.test/!\" .", zone, StringComparison.Ordinal);
        Assert.Contains("*.2.0.5.5.5.2.0.2.1.enum.example.test. 300 IN NAPTR", zone, StringComparison.Ordinal);
        Assert.DoesNotContain("9.9.9.0.5.5.5.2.0.2.1", zone, StringComparison.Ordinal);
        Assert.DoesNotContain("8.8.8.0.5.5.5.2.0.2.1", zone, StringComparison.Ordinal);
        Assert.DoesNotContain("7.6.", zone, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zone_NotConfigured_IsNotFound_AndABadApexIsBadApex()
    {
        using var unconfigured = new DirectoryFactory(_pki);
        using var client = unconfigured.CreateClient();
        using var configured = Configured();
        using var configuredClient = configured.CreateClient();

        using var notFound = await client.GetAsync(new Uri("/v1/enum/zone?apex=e164.arpa", UriKind.Relative));
        using var badApex = await configuredClient.GetAsync(new Uri("/v1/enum/zone?apex=bad..apex", UriKind.Relative));
        using var noApex = await configuredClient.GetAsync(new Uri("/v1/enum/zone", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("zone export is not configured: set Directory:Enum:CpsUrl and/or Directory:Enum:DirectoryUrl", (await notFound.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badApex.StatusCode);
        Assert.Equal("https://stir-encrypted.org/problems/bad-apex", (await badApex.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noApex.StatusCode);
    }

    public void Dispose() => _pki.Dispose();

    private DirectoryFactory Configured() => new(_pki, new Dictionary<string, string?>
    {
        ["Directory:Enum:CpsUrl"] = "https://cps.example.test/v1/",
        ["Directory:Enum:DirectoryUrl"] = "https://dir.example.test/",
        ["Directory:Enum:NameServer"] = "ns1.example.test",
        ["Directory:Enum:Hostmaster"] = "hostmaster.example.test",
        ["Directory:Enum:TtlSeconds"] = "300",
    });
}
