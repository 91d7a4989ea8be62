using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>
/// The discovery walk over an in-memory DNS: per-service selection, non-terminal chains (RFC 6116 §5.2.1), loops,
/// bounds, URL validation, the fallback and the cache.
/// </summary>
public sealed class EnumResolverTests
{
    private static readonly TelephoneNumber Number = TelephoneNumber.ParseE164("+12025550123");
    private const string Domain = "3.2.1.0.5.5.5.2.0.2.1.e164.arpa.";

    private static EnumResolver Resolver(EnumTableSource source, Action<EnumResolverOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new EnumResolverOptions();
        configure?.Invoke(options);
        return new EnumResolver(options, source, time ?? new FakeTimeProvider());
    }

    [Fact]
    public async Task Discover_BothServices_AreFoundIndependentlyOfEachOthersOrder()
    {
        // The CPS at ORDER 10 does not hide the directory at ORDER 20: each enumservice is its own DDDS query.
        var source = new EnumTableSource().Records(Domain,
            EnumTableSource.Cps("https://cps.example.net/v1/", order: 10),
            EnumTableSource.Cps("https://cps-backup.example.net/v1/", order: 10, preference: 20),
            EnumTableSource.Dir("https://dir.example.net/", order: 20),
            EnumTableSource.Cps("https://cps-worse.example.net/", order: 30));

        var result = await Resolver(source).DiscoverAsync(Number);

        Assert.Equal(["https://cps.example.net/v1/", "https://cps-backup.example.net/v1/"], result.Cps.Select(u => u.Url.AbsoluteUri));
        Assert.Equal(["https://dir.example.net/"], result.Directory.Select(u => u.Url.AbsoluteUri));
        Assert.Equal(DiscoverySource.Dns, result.CpsSource);
        Assert.Equal(DiscoverySource.Dns, result.DirectorySource);
        Assert.Equal(Domain, result.QueryDomain);
        Assert.Equal("+12025550123", result.Aus);
        Assert.Equal([Domain], source.Queried);
        Assert.Equal([Domain], result.Cps[0].Chain);
        Assert.Equal((ushort)10, result.Cps[0].Order);
        Assert.Null(result.DnsError);
    }

    [Fact]
    public async Task Discover_NonTerminalChain_IsFollowedAndRecorded()
    {
        var source = new EnumTableSource()
            .Records(Domain, EnumTableSource.Next("a.example.net."))
            .Records("a.example.net.", EnumTableSource.Next("B.Example.Net"))
            .Records("b.example.net.", EnumTableSource.Cps("https://cps.example.net/"), EnumTableSource.Dir("https://dir.example.net/"));

        var result = await Resolver(source).DiscoverAsync(Number);

        Assert.Equal([Domain, "a.example.net.", "b.example.net."], result.Cps.Single().Chain);
        Assert.Equal([Domain, "a.example.net.", "b.example.net."], result.Directory.Single().Chain);
        Assert.Equal([Domain, "a.example.net.", "b.example.net."], source.Queried); // each domain once for both services
        Assert.Equal([Domain, "a.example.net.", "b.example.net."], result.Queries.Select(q => q.Domain));
    }

    [Fact]
    public async Task Discover_Loop_IsNotFollowedAndTheProblemNamesTheChain()
    {
        var source = new EnumTableSource()
            .Records(Domain, EnumTableSource.Next("a.example.net."))
            .Records("a.example.net.", EnumTableSource.Next("b.example.net."))
            .Records("b.example.net.", EnumTableSource.Next("a.example.net."));

        var result = await Resolver(source).DiscoverAsync(Number);

        Assert.False(result.Found);
        var problem = Assert.Single(result.Problems);
        Assert.Contains($"referential loop {Domain} -> a.example.net. -> b.example.net. -> a.example.net.", problem, StringComparison.Ordinal);
        Assert.Equal(3, source.Queried.Count);
    }

    [Fact]
    public async Task Discover_ChainLongerThanFive_StopsAndNamesTheChain()
    {
        var source = new EnumTableSource().Records(Domain, EnumTableSource.Next("n1.example.net."));
        for (var i = 1; i <= 8; i++)
        {
            source.Records($"n{i}.example.net.", EnumTableSource.Next($"n{i + 1}.example.net."));
        }

        source.Records("n9.example.net.", EnumTableSource.Cps("https://cps.example.net/"));

        var result = await Resolver(source).DiscoverAsync(Number);

        Assert.False(result.Found);
        Assert.Equal(6, source.Queried.Count); // the number's domain and 5 non-terminal hops
        var problem = Assert.Single(result.Problems);
        Assert.Contains("chain of more than 5 non-terminal rules", problem, StringComparison.Ordinal);
        Assert.Contains($"{Domain} -> n1.example.net. -> n2.example.net. -> n3.example.net. -> n4.example.net. -> n5.example.net. -> n6.example.net.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_ChainOfExactlyFive_IsFollowed()
    {
        var source = new EnumTableSource().Records(Domain, EnumTableSource.Next("n1.example.net."));
        for (var i = 1; i < 5; i++)
        {
            source.Records($"n{i}.example.net.", EnumTableSource.Next($"n{i + 1}.example.net."));
        }

        source.Records("n5.example.net.", EnumTableSource.Cps("https://cps.example.net/"));

        var result = await Resolver(source).DiscoverAsync(Number);

        Assert.Equal(6, result.Cps.Single().Chain.Count);
    }

    [Fact]
    public async Task Discover_ReferencedDomainFails_GoesOnWithTheNextRule()
    {
        // RFC 6116 §5.2.1: a problem in a traversed domain does not end the query.
        var source = new EnumTableSource()
            .Records(Domain, EnumTableSource.Next("broken.example.net.", preference: 10), EnumTableSource.Next("good.example.net.", preference: 20))
            .Fails("broken.example.net.", "the name server answered SERVFAIL")
            .Records("good.example.net.", EnumTableSource.Cps("https://cps.example.net/"));

        var result = await Resolver(source).DiscoverAsync(Number);

        Assert.Equal("https://cps.example.net/", result.Cps.Single().Url.AbsoluteUri);
        Assert.Contains(result.Problems, p => p.Contains("broken.example.net. failed: the name server answered SERVFAIL", StringComparison.Ordinal));
        Assert.Contains(result.Queries, q => q.Domain == "broken.example.net." && q.Status == EnumQueryStatus.Failed);
    }

    [Fact]
    public async Task Discover_BranchingNonTerminals_AreBoundedByTheQueryBudget()
    {
        // Every domain points to 10 others: without a budget this is 10^5 queries.
        var source = new EnumTableSource();
        source.Records(Domain, Enumerable.Range(0, 10).Select(i => EnumTableSource.Next($"d{i}.example.net.", preference: (ushort)i)).ToArray());
        for (var i = 0; i < 10; i++)
        {
            source.Records($"d{i}.example.net.", Enumerable.Range(0, 10).Select(j => EnumTableSource.Next($"d{i}{j}.example.net.", preference: (ushort)j)).ToArray());
        }

        var result = await Resolver(source, o => o.MaxQueries = 16).DiscoverAsync(Number);

        Assert.False(result.Found);
        Assert.Equal(16, source.Queried.Count);
        Assert.Contains(result.Problems, p => p.Contains("already made 16 queries (limit)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://cps.example.net/", "must be https")]
    [InlineData("https://user:pw@cps.example.net/", "userinfo")]
    [InlineData("https://cps.example.net/?a=1", "no query or fragment")]
    [InlineData("ftp://cps.example.net/", "the scheme is \"ftp\"")]
    public async Task Discover_UnacceptableUrl_IsDiscardedAndTheNextOneUsed(string bad, string expected)
    {
        var source = new EnumTableSource().Records(Domain,
            EnumTableSource.Cps(bad, order: 10),
            EnumTableSource.Cps("https://cps-ok.example.net/", order: 20));

        var result = await Resolver(source).DiscoverAsync(Number);

        Assert.Equal("https://cps-ok.example.net/", result.Cps.Single().Url.AbsoluteUri);
        Assert.Contains(result.Problems, p => p.Contains(expected, StringComparison.Ordinal) && p.Contains("x-stir-cps:https", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Discover_RegexpLongerThanACharacterString_IsDiscarded()
    {
        var source = new EnumTableSource().Records(Domain, EnumTableSource.Cps("https://cps.example.net/" + new string('a', 300)));

        var result = await Resolver(source).DiscoverAsync(Number);

        Assert.Empty(result.Cps);
        Assert.Contains(result.Problems, p => p.Contains("a character-string holds at most 255", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Discover_HttpToLoopback_OnlyWhenAllowed()
    {
        var source = new EnumTableSource().Records(Domain, EnumTableSource.Cps("http://127.0.0.1:8080/"), EnumTableSource.Dir("http://dir.example.net/"));

        var strict = await Resolver(source).DiscoverAsync(Number);
        var relaxed = await Resolver(source, o => o.AllowHttpOnLoopback = true).DiscoverAsync(Number);

        Assert.Empty(strict.Cps);
        Assert.Equal("http://127.0.0.1:8080/", relaxed.Cps.Single().Url.AbsoluteUri);
        Assert.Empty(relaxed.Directory); // http to a non-loopback host stays refused
    }

    [Fact]
    public async Task Discover_NothingInDns_UsesTheFallbackAndSaysSo()
    {
        var source = new EnumTableSource();

        var result = await Resolver(source, o => o.FallbackCps = new Uri("https://cps.fallback.example/")).DiscoverAsync(Number);

        Assert.Equal(DiscoverySource.Fallback, result.CpsSource);
        Assert.Equal("https://cps.fallback.example/", result.Cps.Single().Url.AbsoluteUri);
        Assert.Empty(result.Cps.Single().Chain);
        Assert.Equal(DiscoverySource.None, result.DirectorySource);
        Assert.Null(result.DnsError);
        Assert.Equal(EnumQueryStatus.NoRecords, result.Queries.Single().Status);
        Assert.Equal("NXDOMAIN", result.Queries.Single().Detail);
    }

    [Fact]
    public async Task Discover_DnsFailsWithFallback_UsesItAndCarriesTheFailure()
    {
        var source = new EnumTableSource().Fails(Domain, "no answer from the name servers (timed out)");

        var result = await Resolver(source, o =>
        {
            o.FallbackCps = new Uri("https://cps.fallback.example/");
            o.FallbackDirectory = new Uri("https://dir.fallback.example/");
        }).DiscoverAsync(Number);

        Assert.Equal(DiscoverySource.Fallback, result.CpsSource);
        Assert.Equal(DiscoverySource.Fallback, result.DirectorySource);
        Assert.Equal($"NAPTR lookup of {Domain} failed: no answer from the name servers (timed out)", result.DnsError);
    }

    [Fact]
    public async Task Discover_DnsFailsWithoutFallback_Throws()
    {
        var source = new EnumTableSource().Fails(Domain, "the name server answered SERVFAIL");

        var e = await Assert.ThrowsAsync<EnumLookupException>(() => Resolver(source).DiscoverAsync(Number));

        Assert.Equal(Domain, e.Domain);
        Assert.Equal($"NAPTR lookup of {Domain} failed: the name server answered SERVFAIL", e.Message);
    }

    [Fact]
    public async Task Discover_DnsHasOneService_FallbackFillsOnlyTheOther()
    {
        var source = new EnumTableSource().Records(Domain, EnumTableSource.Cps("https://cps.example.net/"));

        var result = await Resolver(source, o =>
        {
            o.FallbackCps = new Uri("https://cps.fallback.example/");
            o.FallbackDirectory = new Uri("https://dir.fallback.example/");
        }).DiscoverAsync(Number);

        Assert.Equal(DiscoverySource.Dns, result.CpsSource);
        Assert.Equal(DiscoverySource.Fallback, result.DirectorySource);
    }

    [Fact]
    public async Task Discover_OverallTimeout_BoundsASlowSource()
    {
        var time = new FakeTimeProvider();
        var resolver = new EnumResolver(new EnumResolverOptions { OverallTimeout = TimeSpan.FromSeconds(3) }, new HangingSource(), time);

        var discovery = resolver.DiscoverAsync(Number);
        time.Advance(TimeSpan.FromSeconds(3));
        var e = await Assert.ThrowsAsync<EnumLookupException>(() => discovery);

        Assert.Contains("did not finish within 3 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Resolver(new EnumTableSource()).DiscoverAsync(Number, cts.Token));
    }

    [Fact]
    public async Task Discover_CachedAnswer_IsReusedUntilItsTtlExpires()
    {
        var time = new FakeTimeProvider();
        var source = new EnumTableSource().Records(Domain, TimeSpan.FromSeconds(60), EnumTableSource.Cps("https://cps.example.net/"));
        var resolver = Resolver(source, time: time);

        var first = await resolver.DiscoverAsync(Number);
        time.Advance(TimeSpan.FromSeconds(59));
        var second = await resolver.DiscoverAsync(Number);
        time.Advance(TimeSpan.FromSeconds(1));
        var third = await resolver.DiscoverAsync(Number);

        Assert.False(first.Queries.Single().FromCache);
        Assert.True(second.Queries.Single().FromCache);
        Assert.False(third.Queries.Single().FromCache);
        Assert.Equal(2, source.Queried.Count);
    }

    [Fact]
    public async Task Discover_CacheDisabled_AlwaysQueries()
    {
        var source = new EnumTableSource().Records(Domain, EnumTableSource.Cps("https://cps.example.net/"));
        var resolver = Resolver(source, o => o.CacheCapacity = 0);

        await resolver.DiscoverAsync(Number);
        await resolver.DiscoverAsync(Number);

        Assert.Equal(2, source.Queried.Count);
    }

    [Fact]
    public async Task Cache_IsBounded_EvictingWhatExpiresFirst()
    {
        var time = new FakeTimeProvider();
        var source = new EnumTableSource();
        for (var i = 0; i < 10; i++)
        {
            source.Records($"d{i}.example.", TimeSpan.FromSeconds(100 + i), EnumTableSource.Cps("https://cps.example.net/"));
        }

        var cache = new NaptrCache(source, time, capacity: 4, maxTtl: TimeSpan.FromHours(1));
        for (var i = 0; i < 10; i++)
        {
            await cache.QueryAsync($"d{i}.example.", CancellationToken.None);
        }

        Assert.Equal(4, cache.Count);
        Assert.True((await cache.QueryAsync("d9.example.", CancellationToken.None)).FromCache);
        Assert.False((await cache.QueryAsync("d0.example.", CancellationToken.None)).FromCache);
    }

    [Fact]
    public async Task Cache_TtlIsCappedAndFailuresAreNotCached()
    {
        var time = new FakeTimeProvider();
        var source = new EnumTableSource()
            .Records("long.example.", TimeSpan.FromDays(7), EnumTableSource.Cps("https://cps.example.net/"))
            .Fails("bad.example.", "SERVFAIL");
        var cache = new NaptrCache(source, time, capacity: 8, maxTtl: TimeSpan.FromMinutes(10));

        await cache.QueryAsync("long.example.", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.False((await cache.QueryAsync("long.example.", CancellationToken.None)).FromCache);

        await Assert.ThrowsAsync<EnumLookupException>(() => cache.QueryAsync("bad.example.", CancellationToken.None));
        await Assert.ThrowsAsync<EnumLookupException>(() => cache.QueryAsync("bad.example.", CancellationToken.None));
        Assert.Equal(2, source.Queried.Count(d => d == "bad.example."));
    }

    [Theory]
    [InlineData("http://cps.fallback.example/", "must be https")]
    [InlineData("https://u@cps.fallback.example/", "userinfo")]
    [InlineData("https://cps.fallback.example/#top", "no query or fragment")]
    public void Constructor_BadFallback_IsAProgrammingError(string url, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new EnumResolver(new EnumResolverOptions { FallbackCps = new Uri(url) }));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_FallbackLongerThanTheLimit_IsAProgrammingError()
    {
        var e = Assert.Throws<ArgumentException>(() => new EnumResolver(new EnumResolverOptions { FallbackDirectory = new Uri("https://dir.example/" + new string('a', 2100)) }));

        Assert.Contains("characters (limit 2048)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_NotE164_IsAProgrammingError()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Resolver(new EnumTableSource()).DiscoverAsync(TelephoneNumber.ParseCanonical("*123")));
    }

    private sealed class HangingSource : INaptrSource
    {
        public async Task<NaptrAnswer> QueryAsync(string domain, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
