using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Rfc;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>
/// ENUM through a real authoritative server (Knot DNS): the RFC 6116 vector zone, a non-terminal chain across
/// zones, TCP fallback on a real truncated answer, and a zone written by the exporter.
/// </summary>
[Collection(DnsKnotCollection.Name)]
public sealed class DnsKnotTests
{
    private readonly DnsKnotFixture _knot;

    public DnsKnotTests(DnsKnotFixture knot)
    {
        _knot = knot;
    }

    public static TheoryData<string> VectorIds() => EnumNaptrProcessingVectorTests.Ids();

    [Theory]
    [MemberData(nameof(VectorIds))]
    public async Task Resolve_VectorZoneThroughKnot_GivesTheVectorResult(string id)
    {
        var vector = EnumNaptrVectorCase.Load(id);
        var resolver = new EnumResolver(_knot.Options("e164.arpa"));

        var (results, lookup) = await resolver.ResolveAsync(vector.Aus, vector.QueryDomain, vector.Wants);

        // Knot served exactly the vector's records (order within the RRset may differ, RFC 6116 §5.1).
        var first = lookup.Queries[0];
        Assert.Equal(vector.QueryDomain, first.Domain);
        Assert.Equal(EnumQueryStatus.Answered, first.Status);
        Assert.Equal(vector.Records.OrderBy(r => r.ToString(), StringComparer.Ordinal), first.Records.OrderBy(r => r.ToString(), StringComparer.Ordinal));
        Assert.Empty(lookup.Problems);

        if (vector.ExpectedNextDomain is null)
        {
            var uris = results.Select(r => new EnumNaptrExpectedUri(r.Rule.Enumservice!, r.Rule.Uri!, r.Rule.Order, r.Rule.Preference)).ToList();
            Assert.Equal(vector.ExpectedUris, uris);
            Assert.All(results, r => Assert.Equal([vector.QueryDomain], r.Chain));
            Assert.Single(lookup.Queries);
        }
        else
        {
            // The non-terminal rule: the vector's next key is queried, in another zone, and its rule applies.
            Assert.Empty(vector.ExpectedUris);
            Assert.Equal([vector.QueryDomain, vector.ExpectedNextDomain], lookup.Queries.Select(q => q.Domain));
            var result = Assert.Single(results);
            Assert.Equal([vector.QueryDomain, vector.ExpectedNextDomain], result.Chain);
            Assert.Equal("sip:2025550105@after-non-terminal.example.net", result.Rule.Uri);
        }
    }

    [Fact]
    public async Task Discover_VectorZonePlaceholderEnumservice_FindsTheCps()
    {
        var resolver = new EnumResolver(_knot.Options("e164.arpa"));

        var result = await resolver.DiscoverAsync(TelephoneNumber.ParseE164("+1 202 555 0123"));

        Assert.Equal(["https://cps.example.net/v1/", "https://cps-backup.example.net/v1/"], result.Cps.Select(u => u.Url.AbsoluteUri));
        Assert.Equal(DiscoverySource.Dns, result.CpsSource);
        Assert.Equal(DiscoverySource.None, result.DirectorySource);
    }

    [Fact]
    public async Task Discover_RRsetLargerThanUdp_IsFetchedOverTcp()
    {
        // 60 records (~8 KB): Knot truncates the UDP answer (TC) and the resolver asks again over TCP.
        var resolver = new EnumResolver(_knot.Options(DnsKnotFixture.NonTerminalApex));

        var result = await resolver.DiscoverAsync(TelephoneNumber.ParseE164("+12025550199"));

        Assert.Equal(60, result.Queries.Single().Records.Count);
        Assert.Equal(60, result.Cps.Count);
        Assert.Equal("https://cps-00.a-rather-long-host-name-to-fill-the-packet.example.net/v1/", result.Cps[0].Url.AbsoluteUri);
        Assert.Equal("https://cps-59.a-rather-long-host-name-to-fill-the-packet.example.net/v1/", result.Cps[59].Url.AbsoluteUri);
    }

    [Fact]
    public async Task Discover_RRsetLargerThanTheRecordLimit_FailsClearly()
    {
        var options = _knot.Options(DnsKnotFixture.NonTerminalApex);
        options.MaxRecordsPerAnswer = 50;
        var resolver = new EnumResolver(options);

        var e = await Assert.ThrowsAsync<EnumLookupException>(() => resolver.DiscoverAsync(TelephoneNumber.ParseE164("+12025550199")));

        Assert.Equal("the answer holds 60 records (limit 50)", e.Reason);
    }

    [Theory]
    [InlineData("+12025550123", "A")]
    [InlineData("+12025551000", "B")] // first number of the 1000-block
    [InlineData("+12025551999", "B")] // last one
    [InlineData("+12025551055", "B")] // an empty non-terminal above +120255510555 without the split
    [InlineData("+12025551050", "B")] // under that empty non-terminal
    [InlineData("+12025551567", "B")] // plain wildcard
    [InlineData("+120255510555", "D")] // the longer number inside the block
    [InlineData("+12025552005", "C")] // ragged start of 12025552005+20 (exact name)
    [InlineData("+12025552017", "C")] // its full decade (wildcard)
    [InlineData("+12025552024", "C")] // ragged end
    public async Task Discover_ExportedZone_NumbersAndRangesResolveToTheirUrls(string number, string mapping)
    {
        var resolver = new EnumResolver(_knot.Options(DnsKnotFixture.ExportApex));

        var result = await resolver.DiscoverAsync(TelephoneNumber.ParseE164(number));

        var (cps, dir) = mapping switch
        {
            "A" => (DnsKnotFixture.CpsA, DnsKnotFixture.DirA),
            "B" => (DnsKnotFixture.CpsB, DnsKnotFixture.DirB),
            "C" => (DnsKnotFixture.CpsC, DnsKnotFixture.DirA),
            _ => (DnsKnotFixture.CpsD, (Uri?)null),
        };
        Assert.Equal(cps.AbsoluteUri, result.Cps.Single().Url.AbsoluteUri);
        Assert.Equal(dir?.AbsoluteUri, result.Directory.SingleOrDefault()?.Url.AbsoluteUri);
        Assert.Empty(result.Problems);
        Assert.Equal(DiscoverySource.Dns, result.CpsSource);
    }

    [Theory]
    [InlineData("+12025552004")] // just before a range
    [InlineData("+12025552025")] // just after it
    [InlineData("+12025550124")]
    [InlineData("+1202555100")] // the wildcard's owner itself is not covered
    public async Task Discover_ExportedZone_NumbersOutsideTheMappingsFindNothing(string number)
    {
        var resolver = new EnumResolver(_knot.Options(DnsKnotFixture.ExportApex));

        var result = await resolver.DiscoverAsync(TelephoneNumber.ParseE164(number));

        Assert.False(result.Found);
        Assert.Equal(EnumQueryStatus.NoRecords, result.Queries.Single().Status);
    }

    [Fact]
    public async Task Discover_ExportedZone_WildcardCaveatIsReal()
    {
        // A 12-digit number under the decade wildcard of 12025552005+20 is answered too (documented caveat).
        var resolver = new EnumResolver(_knot.Options(DnsKnotFixture.ExportApex));

        var result = await resolver.DiscoverAsync(TelephoneNumber.ParseE164("+120255520157"));

        Assert.Equal(DnsKnotFixture.CpsC.AbsoluteUri, result.Cps.Single().Url.AbsoluteUri);
    }

    [Fact]
    public async Task Discover_ExportedZone_KnotAgreesWithTheWildcardModel()
    {
        // Every number of every mapping, and the numbers around them: Knot and the RFC 4592 model give the same answer.
        var model = new EnumZoneModel(_knot.ExportedZone);
        var resolver = new EnumResolver(_knot.Options(DnsKnotFixture.ExportApex));
        var numbers = Enumerable.Range(0, 100).Select(i => $"+120255510{i:D2}")
            .Concat(Enumerable.Range(0, 40).Select(i => $"+120255520{i:D2}"))
            .Append("+120255510555").Append("+12025550123").Append("+12025550122");

        foreach (var number in numbers)
        {
            var tn = TelephoneNumber.ParseE164(number);
            var result = await resolver.DiscoverAsync(tn);
            var expected = model.Query(tn.ToEnumDomain(DnsKnotFixture.ExportApex));
            Assert.Equal(expected?.GetValueOrDefault("x-stir-cps:https"), result.Cps.SingleOrDefault()?.Url.AbsoluteUri);
            Assert.Equal(expected?.GetValueOrDefault("x-stir-dir:https"), result.Directory.SingleOrDefault()?.Url.AbsoluteUri);
        }
    }

    [Fact]
    public void Knot_LoadedEveryZoneWithoutComplaint()
    {
        Assert.DoesNotContain("error", _knot.Log, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("[e164.arpa.] loaded", _knot.Log, StringComparison.Ordinal);
        Assert.Contains($"[{DnsKnotFixture.ExportApex}] loaded", _knot.Log, StringComparison.Ordinal);
    }
}
