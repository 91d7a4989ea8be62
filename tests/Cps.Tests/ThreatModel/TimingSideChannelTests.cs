using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.CoverTraffic;
using Stir.Encrypted.CpsService.Endpoints;
using Stir.Encrypted.CpsService.Observability;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.Cps.Tests.ThreatModel;

/// <summary>
/// TM-07, the parts of the timing claim that need no statistics: a retrieval does the same work whatever the bucket
/// holds or whoever fetched it before (S cover derivations per class, one store read per class, nothing cached between
/// requests), and its answer is released at its start + the deadline, whatever that work took. That the two together
/// leave no timing a prober can use is measured against the real process by bench/privacy/timing.
/// </summary>
[Trait("Claim", "TM-07")]
public sealed class TimingSideChannelTests
{
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);

    public static TheoryData<string> BucketHistories() => ["never stored", "one live real blob", "three live real blobs", "a real blob that ended this epoch", "retrieved a moment ago"];

    [Theory]
    [MemberData(nameof(BucketHistories))]
    public async Task Retrieve_DerivesSCoversPerClassAndReadsTheStoreOncePerClass_WhateverTheBucketHolds(string history)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cps:Classes:0:Size"] = "2048",
            ["Cps:Classes:0:Slots"] = "16",
            ["Cps:Classes:1:Size"] = "1024",
            ["Cps:Classes:1:Slots"] = "12",
        };
        // Counted where the cost is, under whatever the service puts in front of it (a cache would hide calls here).
        var agreement = new CountingKeyAgreement();
        using var factory = new CpsFactory(settings: settings, services: services => services.AddSingleton<ICoverKeyAgreement>(agreement));
        using var client = factory.CreateClient();
        var bucket = CpsRequests.Bucket(0x2a7);
        switch (history)
        {
            case "one live real blob":
                await StoreAsync(client, bucket, 1);
                break;
            case "three live real blobs":
                await StoreAsync(client, bucket, 3);
                break;
            case "a real blob that ended this epoch":
                await StoreAsync(client, bucket, 1);
                factory.Time.Advance(TimeSpan.FromSeconds(61)); // beyond the longest lifetime
                break;
            case "retrieved a moment ago":
                using (var earlier = await client.RetrieveAsync(Epoch, bucket))
                {
                    Assert.Equal(HttpStatusCode.OK, earlier.StatusCode);
                }

                factory.Time.Advance(TimeSpan.FromSeconds(2));
                break;
        }

        var (scalars, reads) = (agreement.Calls, factory.Store.Reads);
        using var response = await client.RetrieveAsync(Epoch, bucket);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((12 * 1024) + (16 * 2048), (await response.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(16 + 12, agreement.Calls - scalars);
        Assert.Equal(2, factory.Store.Reads - reads);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(9)]
    public async Task Retrieve_IsReleasedAtItsStartPlusTheDeadline_HoweverLongItsWorkTook(int workMilliseconds)
    {
        using var factory = SlowStoreFactory(out var store);
        using var client = factory.CreateClient();
        using var overruns = new OverrunCounter(factory.Services.GetRequiredService<CpsMetrics>());
        await client.RetrieveBlobsAsync(Epoch, "0001"); // the runtime is set up on the first request
        factory.ReleaseTimer.Waits.Clear();

        store.OnRead = () => factory.ReleaseTimer.Advance(workMilliseconds);
        var start = factory.ReleaseTimer.NowMilliseconds;
        using var response = await client.RetrieveAsync(Epoch, "0002");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (now, due) = Assert.Single(factory.ReleaseTimer.Waits);
        Assert.Equal(start + 10, due);
        Assert.Equal(start + workMilliseconds, now);
        Assert.Equal(0, overruns.Count);
    }

    [Fact]
    public async Task Retrieve_WhoseWorkOverrunsTheDeadline_IsAnsweredAtOnceAndCounted()
    {
        using var factory = SlowStoreFactory(out var store);
        using var client = factory.CreateClient();
        using var overruns = new OverrunCounter(factory.Services.GetRequiredService<CpsMetrics>());
        await client.RetrieveBlobsAsync(Epoch, "0001");
        factory.ReleaseTimer.Waits.Clear();

        store.OnRead = () => factory.ReleaseTimer.Advance(10);
        using var response = await client.RetrieveAsync(Epoch, "0002");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(factory.ReleaseTimer.Waits);
        Assert.Equal(1, overruns.Count);
    }

    [Fact]
    public async Task SystemReleaseTimer_NeverReleasesBeforeTheDueTick()
    {
        var timer = ReleaseTimer.System;
        for (var i = 0; i < 40; i++)
        {
            var due = timer.NowMilliseconds + (i % 4);
            await timer.WaitUntilAsync(due, default);
            Assert.True(timer.NowMilliseconds >= due, $"released at {timer.NowMilliseconds}, due {due}");
        }
    }

    /// <summary>A CPS with a 10 ms deadline whose store reads run the returned store's <see cref="SlowStore.OnRead"/> first.</summary>
    private static CpsFactory SlowStoreFactory(out SlowStore store)
    {
        SlowStore? slow = null;
        var factory = new CpsFactory(
            settings: new Dictionary<string, string?> { ["Cps:RetrievalDeadlineMilliseconds"] = "10" },
            services: services => services.AddSingleton<IBlobStore>(_ => slow!));
        store = slow = new SlowStore(factory.Store);
        return factory;
    }

    private static async Task StoreAsync(HttpClient client, string bucket, int blobs)
    {
        using var large = await client.StoreAsync(Epoch, bucket, RandomNumberGenerator.GetBytes(blobs * 2048), size: 2048);
        using var small = await client.StoreAsync(Epoch, bucket, RandomNumberGenerator.GetBytes(1024), size: 1024);
        Assert.Equal(HttpStatusCode.Created, large.StatusCode);
        Assert.Equal(HttpStatusCode.Created, small.StatusCode);
    }

    private sealed class CountingKeyAgreement : ICoverKeyAgreement
    {
        private readonly SodiumCoverKeyAgreement _inner = new();
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void PublicKey(ReadOnlySpan<byte> sk, Span<byte> pk)
        {
            Interlocked.Increment(ref _calls);
            _inner.PublicKey(sk, pk);
        }
    }

    /// <summary>A store whose reads run <see cref="OnRead"/> first: work whose length the test chooses.</summary>
    private sealed class SlowStore(IBlobStore inner) : IBlobStore
    {
        public Action OnRead { get; set; } = () => { };

        public ValueTask<ReadOnlyMemory<byte>> GetCoverKeyAsync(CancellationToken cancellationToken) => inner.GetCoverKeyAsync(cancellationToken);

        public ValueTask<ReadOnlyMemory<byte>> GetIndexSaltAsync(CancellationToken cancellationToken) => inner.GetIndexSaltAsync(cancellationToken);

        public ValueTask<BucketState> ReadAsync(BucketKey key, CancellationToken cancellationToken)
        {
            OnRead();
            return inner.ReadAsync(key, cancellationToken);
        }

        public ValueTask<bool> TryAppendAsync(BucketKey key, long expectedVersion, IReadOnlyList<StoredBlob> blobs, long bucketExpiresUnixMs, CancellationToken cancellationToken) =>
            inner.TryAppendAsync(key, expectedVersion, blobs, bucketExpiresUnixMs, cancellationToken);

        public ValueTask<(bool Ready, string? Reason)> CheckReadyAsync(CancellationToken cancellationToken) => inner.CheckReadyAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Counts <c>cps.retrieval.deadline.overruns</c> of one application's meter.</summary>
    private sealed class OverrunCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public OverrunCounter(CpsMetrics metrics)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == "cps.retrieval.deadline.overruns")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
