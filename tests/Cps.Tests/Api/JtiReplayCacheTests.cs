using Stir.Encrypted.CpsService.Authentication;

namespace Stir.Encrypted.Cps.Tests.Api;

public sealed class JtiReplayCacheTests
{
    [Fact]
    [Trait("Claim", "TM-37")]
    public void TryRemember_SameJtiWithinTheWindow_IsReplayed_AndFreshAgainAfterIt()
    {
        var cache = new JtiReplayCache(TimeSpan.FromSeconds(120), capacity: 1000);

        Assert.Equal(JtiOutcome.Fresh, cache.TryRemember("a", 1_000, out _));
        Assert.Equal(JtiOutcome.Replayed, cache.TryRemember("a", 120_999, out _));
        Assert.Equal(JtiOutcome.Fresh, cache.TryRemember("a", 121_000, out _));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    [Trait("Claim", "TM-37")]
    public void TryRemember_WhenFullOfLiveValues_RefusesWithTheWaitAndEvictsNothing()
    {
        var cache = new JtiReplayCache(TimeSpan.FromSeconds(10), capacity: 3);
        Assert.Equal(JtiOutcome.Fresh, cache.TryRemember("a", 0, out _));
        Assert.Equal(JtiOutcome.Fresh, cache.TryRemember("b", 2_000, out _));
        Assert.Equal(JtiOutcome.Fresh, cache.TryRemember("c", 4_000, out _));

        Assert.Equal(JtiOutcome.Full, cache.TryRemember("d", 5_000, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(5), wait);
        Assert.Equal(JtiOutcome.Replayed, cache.TryRemember("a", 5_000, out _));
        Assert.Equal(JtiOutcome.Fresh, cache.TryRemember("d", 10_000, out _)); // "a" expired at 10 000
        Assert.Equal(3, cache.Count);
    }
}
