using System.Diagnostics;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>
/// The resolver on real sockets against a hand-built DNS server: what hostile or broken DNS can do, and that
/// each case ends in bounded time with a clear result or error.
/// </summary>
public sealed class DnsFailureModeTests
{
    private static readonly TelephoneNumber Number = TelephoneNumber.ParseE164("+12025550123");
    private const string Domain = "3.2.1.0.5.5.5.2.0.2.1.e164.arpa.";

    private static EnumResolver Resolver(DnsFakeServer server, Action<EnumResolverOptions>? configure = null)
    {
        // Generous per-try timeout: the machine is shared, and a retry would blur the query counts asserted below.
        var options = new EnumResolverOptions { Timeout = TimeSpan.FromSeconds(2), Retries = 1, CacheCapacity = 0 };
        options.NameServers.Add(server.EndPoint);
        configure?.Invoke(options);
        return new EnumResolver(options);
    }

    private static byte[] CpsRecord(string url = "https://cps.example.net/v1/") =>
        DnsMessage.Naptr(null, 100, 10, "u", "E2U+x-stir-cps:https", $"!^.*$!{url}!", ".");

    [Fact]
    public async Task Discover_PlainAnswer_IsRead()
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q, answers: [CpsRecord(), DnsMessage.Naptr(null, 100, 20, "u", "E2U+x-stir-dir:https", "!^.*$!https://dir.example.net/!", ".")]));

        var result = await Resolver(server).DiscoverAsync(Number);

        Assert.Equal("https://cps.example.net/v1/", result.Cps.Single().Url.AbsoluteUri);
        Assert.Equal("https://dir.example.net/", result.Directory.Single().Url.AbsoluteUri);
        var query = Assert.Single(result.Queries);
        Assert.Equal(Domain, query.Domain);
        Assert.Equal(2, query.Records.Count);
    }

    [Fact]
    public async Task Discover_TruncatedUdpAnswer_IsRetriedOverTcp()
    {
        // RFC 7766 §5 / RFC 1035 §4.2.1: TC set means "ask again over TCP". DnsClient's UseTcpFallback does it.
        await using var server = DnsFakeServer.Start(q => q.Tcp
            ? DnsMessage.Response(q, answers: [CpsRecord("https://cps-over-tcp.example.net/")])
            : DnsMessage.Response(q, truncated: true));

        var result = await Resolver(server).DiscoverAsync(Number);

        Assert.Equal("https://cps-over-tcp.example.net/", result.Cps.Single().Url.AbsoluteUri);
        Assert.Equal(1, server.UdpQueries);
        Assert.Equal(1, server.TcpQueries);
    }

    [Fact]
    public async Task Discover_TruncatedUdpAnswerAndTcpRefused_FailsClearly()
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q, truncated: true, answers: [CpsRecord()]), tcp: false);

        var e = await Assert.ThrowsAsync<EnumLookupException>(() => Resolver(server).DiscoverAsync(Number));

        Assert.Equal(Domain, e.Domain);
        Assert.Equal($"NAPTR lookup of {Domain} failed: network error (ConnectionRefused)", e.Message);
        Assert.Equal(1, server.UdpQueries);
    }

    [Fact]
    public async Task Discover_TruncatedEvenOverTcp_FailsClearly()
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q, truncated: true));

        var e = await Assert.ThrowsAsync<EnumLookupException>(() => Resolver(server).DiscoverAsync(Number));

        Assert.Equal("the answer is truncated (TC) even over TCP", e.Reason);
    }

    [Theory]
    [InlineData("header only, claims an answer")]
    [InlineData("rdlength beyond the packet")]
    [InlineData("character-string beyond its rdata")]
    [InlineData("compression pointer loop")]
    public async Task Discover_MalformedPacket_FailsClearly(string kind)
    {
        await using var server = DnsFakeServer.Start(q => Malformed(q, kind));

        var e = await Assert.ThrowsAsync<EnumLookupException>(() => Resolver(server).DiscoverAsync(Number));

        Assert.Equal(Domain, e.Domain);
        Assert.Equal("the response is malformed (it does not parse as a DNS message)", e.Reason);
    }

    [Theory]
    [InlineData(DnsMessage.ServFail, "SERVFAIL")]
    [InlineData(DnsMessage.Refused, "REFUSED")]
    public async Task Discover_ErrorResponseCode_FailsNamingIt(int rcode, string name)
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q, rcode));

        var e = await Assert.ThrowsAsync<EnumLookupException>(() => Resolver(server).DiscoverAsync(Number));

        Assert.Equal($"NAPTR lookup of {Domain} failed: the name server answered {name}", e.Message);
    }

    [Fact]
    public async Task Discover_NxDomain_IsNoRecordsNotAFailure()
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q, DnsMessage.NxDomain, authorities: [DnsMessage.Soa("e164.arpa.", 300, 60)]));

        var result = await Resolver(server).DiscoverAsync(Number);

        Assert.False(result.Found);
        Assert.Equal(("NXDOMAIN", EnumQueryStatus.NoRecords), (result.Queries.Single().Detail, result.Queries.Single().Status));
    }

    [Fact]
    public async Task Discover_NoData_IsNoRecordsNotAFailure()
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q));

        var result = await Resolver(server).DiscoverAsync(Number);

        Assert.Equal("NODATA", result.Queries.Single().Detail);
    }

    [Fact]
    public async Task Discover_UnresponsiveServer_TimesOutInBoundedTime()
    {
        await using var server = DnsFakeServer.Start(_ => null);
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<EnumLookupException>(() => Resolver(server, o => o.Timeout = TimeSpan.FromMilliseconds(300)).DiscoverAsync(Number));

        watch.Stop();
        Assert.Contains("timed out", e.Reason, StringComparison.Ordinal);
        Assert.Equal(2, server.UdpQueries); // one try and one retry
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10)); // 2 × 300 ms, with a wide margin for a busy machine
    }

    [Fact]
    public async Task Discover_UnresponsiveServerWithFallback_UsesTheFallbackAndSaysWhy()
    {
        await using var server = DnsFakeServer.Start(_ => null);

        var result = await Resolver(server, o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(300);
            o.FallbackCps = new Uri("https://cps.fallback.example/");
            o.FallbackDirectory = new Uri("https://dir.fallback.example/");
        }).DiscoverAsync(Number);

        Assert.Equal(DiscoverySource.Fallback, result.CpsSource);
        Assert.Equal(DiscoverySource.Fallback, result.DirectorySource);
        Assert.Equal("https://cps.fallback.example/", result.Cps.Single().Url.AbsoluteUri);
        Assert.Contains("timed out", result.DnsError, StringComparison.Ordinal);
        Assert.Equal(EnumQueryStatus.Failed, result.Queries.Single().Status);
    }

    [Fact]
    public async Task Discover_ServFailWithFallback_UsesTheFallback()
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q, DnsMessage.ServFail));

        var result = await Resolver(server, o => o.FallbackCps = new Uri("https://cps.fallback.example/")).DiscoverAsync(Number);

        Assert.Equal(DiscoverySource.Fallback, result.CpsSource);
        Assert.Contains("SERVFAIL", result.DnsError, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-57")]
    public async Task Discover_NonTerminalLoopOverDns_IsNotFollowedAndNamed()
    {
        await using var server = DnsFakeServer.Start(q => q.Name switch
        {
            Domain => DnsMessage.Response(q, answers: [DnsMessage.Naptr(null, 100, 10, "", "", "", "a.loop.example.")]),
            "a.loop.example." => DnsMessage.Response(q, answers: [DnsMessage.Naptr(null, 100, 10, "", "", "", "b.loop.example.")]),
            "b.loop.example." => DnsMessage.Response(q, answers: [DnsMessage.Naptr(null, 100, 10, "", "", "", "a.loop.example.")]),
            _ => DnsMessage.Response(q, DnsMessage.NxDomain),
        });

        var result = await Resolver(server).DiscoverAsync(Number);

        Assert.False(result.Found);
        Assert.Contains(result.Problems, p => p.Contains($"referential loop {Domain} -> a.loop.example. -> b.loop.example. -> a.loop.example.", StringComparison.Ordinal));
        Assert.Equal([Domain, "a.loop.example.", "b.loop.example."], result.Queries.Select(q => q.Domain));
    }

    [Fact]
    public async Task Discover_OverlongChainOverDns_StopsAfterFiveAndNamesIt()
    {
        await using var server = DnsFakeServer.Start(q =>
        {
            var next = q.Name == Domain ? 1 : int.Parse(q.Name[1..q.Name.IndexOf('.', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture) + 1;
            return DnsMessage.Response(q, answers: [DnsMessage.Naptr(null, 100, 10, "", "", "", $"n{next}.chain.example.")]);
        });

        var result = await Resolver(server).DiscoverAsync(Number);

        Assert.False(result.Found);
        Assert.Equal(6, result.Queries.Count);
        Assert.Contains(result.Problems, p => p.Contains("chain of more than 5 non-terminal rules", StringComparison.Ordinal)
            && p.Contains("n5.chain.example. -> n6.chain.example.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Discover_ThousandsOfRecords_FailsBoundedAndClearly()
    {
        // 3000 records do not fit in UDP: TC, then TCP carries ~60 KB. The resolver refuses the RRset by count.
        var many = Enumerable.Range(0, 3000).Select(i => DnsMessage.Naptr(null, (ushort)i, 0, "", "", "", "")).ToList();
        await using var server = DnsFakeServer.Start(q => q.Tcp ? DnsMessage.Response(q, answers: many) : DnsMessage.Response(q, truncated: true));

        var e = await Assert.ThrowsAsync<EnumLookupException>(() => Resolver(server).DiscoverAsync(Number));

        Assert.Equal("the answer holds 3000 records (limit 64)", e.Reason);
        Assert.Equal(1, server.TcpQueries);
    }

    [Fact]
    [Trait("Claim", "TM-57")]
    public async Task Discover_SixtyFourHostileRegexps_AreEachDiscardedAndTheGoodRecordStillUsed()
    {
        var hostile = new[]
        {
            "!" + new string('(', 40) + "a" + new string(')', 40) + "!x!",
            "!^(a{255}){255}$!x!",
            "!^((((.*){100}){100}){100})$!x!",
            "!^" + string.Concat(Enumerable.Repeat("(.*)", 45)) + "$!x\\9\\9\\9\\9!",
            "!^\\d+$!x!",
            "!(?=a)!x!",
            "!^.*$!https://cps.example.net/!!!",
        };
        var answers = Enumerable.Range(0, 63)
            .Select(i => DnsMessage.Naptr(null, 100, 10, "u", "E2U+x-stir-cps:https", Pad(hostile[i % hostile.Length]), "."))
            .Append(DnsMessage.Naptr(null, 100, 20, "u", "E2U+x-stir-cps:https", "!^.*$!https://cps-good.example.net/!", "."))
            .ToList();
        await using var server = DnsFakeServer.Start(q => q.Tcp ? DnsMessage.Response(q, answers: answers) : DnsMessage.Response(q, truncated: true));

        var result = await Resolver(server).DiscoverAsync(Number);

        Assert.Equal("https://cps-good.example.net/", result.Cps.Single().Url.AbsoluteUri);
        Assert.Equal(64, result.Queries.Single().Records.Count);
        Assert.Equal(hostile.Length, result.Problems.Count); // duplicates are reported once
        Assert.All(result.Problems, p => Assert.StartsWith(Domain + ": NAPTR 100 10 \"u\" \"E2U+x-stir-cps:https\"", p, StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Claim", "TM-57")]
    public async Task Discover_ResponseWithWrongId_IsNotAccepted()
    {
        // An off-path spoofer that guesses wrong: the answer must not be used.
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q with { Id = (ushort)(q.Id ^ 0x5A5A) }, answers: [CpsRecord()]));

        var result = await Resolver(server, o => o.FallbackCps = new Uri("https://cps.fallback.example/")).DiscoverAsync(Number);
        Assert.Equal(DiscoverySource.Fallback, result.CpsSource);
        Assert.Contains("does not match the query", result.DnsError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_SecondServer_IsAskedWhenTheFirstFails()
    {
        await using var broken = DnsFakeServer.Start(q => DnsMessage.Response(q, DnsMessage.ServFail));
        await using var good = DnsFakeServer.Start(q => DnsMessage.Response(q, answers: [CpsRecord()]));

        var result = await Resolver(broken, o => o.NameServers.Add(good.EndPoint)).DiscoverAsync(Number);

        Assert.Equal("https://cps.example.net/v1/", result.Cps.Single().Url.AbsoluteUri);
        Assert.InRange(broken.UdpQueries, 1, 2); // DnsClient may retry a SERVFAIL once before moving on
        Assert.Equal(1, good.UdpQueries);
    }

    [Fact]
    public async Task Discover_NegativeAnswer_IsCachedForTheSoaMinimum()
    {
        await using var server = DnsFakeServer.Start(q => DnsMessage.Response(q, DnsMessage.NxDomain, authorities: [DnsMessage.Soa("e164.arpa.", 300, 60)]));
        var options = new EnumResolverOptions { Timeout = TimeSpan.FromSeconds(2) };
        options.NameServers.Add(server.EndPoint);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var resolver = new EnumResolver(options, new NaptrCache(new DnsNaptrSource(options), time, 16, TimeSpan.FromHours(1)), time);

        await resolver.DiscoverAsync(Number);
        time.Advance(TimeSpan.FromSeconds(59));
        var cached = await resolver.DiscoverAsync(Number);
        time.Advance(TimeSpan.FromSeconds(1));
        await resolver.DiscoverAsync(Number);

        Assert.True(cached.Queries.Single().FromCache);
        Assert.Equal(2, server.UdpQueries);
    }

    // A regexp padded towards 255 octets so each hostile record is as large as DNS allows.
    private static string Pad(string regexp) => regexp.Length >= 200 ? regexp : regexp.Insert(regexp.IndexOf('!', 1), string.Concat(Enumerable.Repeat("()", (200 - regexp.Length) / 2)));

    private static byte[] Malformed(DnsFakeQuery q, string kind)
    {
        var good = DnsMessage.Response(q, answers: [CpsRecord()]);
        switch (kind)
        {
            case "header only, claims an answer":
                return good[..12];
            case "rdlength beyond the packet":
                {
                    var bad = (byte[])good.Clone();
                    var rdlength = good.Length - CpsRecord().Length + 2 + 8; // answer RR: 2-octet pointer, type, class, ttl
                    bad[rdlength] = 0x7F;
                    return bad;
                }

            case "character-string beyond its rdata":
                {
                    var bad = (byte[])good.Clone();
                    var flagsLength = good.Length - CpsRecord().Length + 2 + 10 + 4; // after order and preference
                    bad[flagsLength] = 0xF0;
                    return bad;
                }

            case "compression pointer loop":
                {
                    var bad = (byte[])good.Clone();
                    var owner = good.Length - CpsRecord().Length;
                    bad[owner] = 0xC0;
                    bad[owner + 1] = (byte)owner; // points at itself
                    return bad;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
