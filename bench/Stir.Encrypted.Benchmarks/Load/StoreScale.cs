using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Benchmarks.Load;

/// <summary>
/// The scale harness (bench/load/run, spec/protocol.md §9): fills the CPS's embedded store directly in-process
/// through <see cref="IBlobStore.TryAppendAsync"/> (the call the store endpoint makes after its checks, with the
/// same group commit, at-rest encryption and fsync), because filling through HTTP at the store rate would not
/// reach 1M live blobs in minutes on 2 cores. bench/load/run then starts the real CPS process on the filled
/// directory to measure its memory and retrieval latency.
/// <list type="bullet">
/// <item><c>store-fill</c>: adds blobs until the store holds <c>--live</c> or <c>--seconds</c> pass, 7 per bucket in fresh buckets
/// from bucket 4096 up (continuing where a previous fill of the same directory stopped), each live for
/// <c>--lifetime</c> seconds, plus (the first time) the latency sets: buckets 0–1023 left empty, 1024–2047 with
/// 8 real blobs (50 % of 16 slots), 2048–3071 with 14 (88 %).</item>
/// <item><c>store-expiry</c>: fills a fresh store on a manual clock, moves the clock past every blob's end and
/// times the sweep that deletes them (blobs deleted/s), then past the epoch's retention, when the store deletes
/// the epoch's files: the directory's size at each point shows that storage does not grow without bound.</item>
/// </list>
/// </summary>
internal static class StoreScale
{
    public const int FirstFillBucket = 4096;
    private const int BlobsPerBucket = 7;
    private const int Concurrency = 64;
    private const int LatencySetBlobs = (1024 * 8) + (1024 * 14);

    public static async Task<int> FillAsync(string[] args)
    {
        var directory = CommandLine.Text(args, "--dir", "");
        var live = CommandLine.Int(args, "--live", 100_000);
        var seconds = CommandLine.Number(args, "--seconds", 300);
        var size = CommandLine.Int(args, "--size", 2048);
        var lifetime = CommandLine.Int(args, "--lifetime", 1800);
        var epochSeconds = CommandLine.Int(args, "--epoch-seconds", 3600);
        var clock = TimeProvider.System;
        var options = Options(directory, epochSeconds, lifetime);
        await using var store = LiteDbBlobStore.Open(options, clock);
        var epoch = (ulong)(clock.GetUtcNow().ToUnixTimeSeconds() / epochSeconds);
        var bucketExpires = (((long)epoch + 1) * epochSeconds * 1000) + (long)options.BucketRetentionAfterEpoch.TotalMilliseconds;
        var content = RandomNumberGenerator.GetBytes(size);
        var marker = Path.Combine(directory, "bench-fill-next-bucket");
        var next = File.Exists(marker) ? uint.Parse(File.ReadAllText(marker), System.Globalization.CultureInfo.InvariantCulture) : (uint)FirstFillBucket;
        var setBlobs = 0L;
        if (next == FirstFillBucket)
        {
            // The latency sets: 50 % and 88 % of the 16 slots of the default class hold real blobs.
            for (uint b = 1024; b < 3072; b++)
            {
                var count = b < 2048 ? 8 : 14;
                await AppendAsync(store, new BucketKey(epoch, size, b), count, content, clock, lifetime, bucketExpires);
                setBlobs += count;
            }
        }

        // Live blobs so far: the latency sets and every fill bucket of earlier runs on this directory.
        var before = ((long)(next - FirstFillBucket) * BlobsPerBucket) + LatencySetBlobs;
        var target = live - before;
        var stored = 0L;
        var rejected = 0L;
        var watch = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Read(ref stored) < target && watch.Elapsed < deadline)
            {
                var bucket = Interlocked.Increment(ref next) - 1;
                if (await AppendAsync(store, new BucketKey(epoch, size, bucket), BlobsPerBucket, content, clock, lifetime, bucketExpires))
                {
                    Interlocked.Add(ref stored, BlobsPerBucket);
                }
                else
                {
                    Interlocked.Increment(ref rejected);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var elapsed = watch.Elapsed.TotalSeconds;
        File.WriteAllText(marker, next.ToString(System.Globalization.CultureInfo.InvariantCulture));
        GC.Collect();
        var (rss, peak) = ProcessMemory.Of();
        var result = new JsonObject
        {
            ["epoch"] = epoch,
            ["blobsAdded"] = stored,
            ["latencySetBlobs"] = setBlobs,
            ["rejectedAppends"] = rejected,
            ["liveBlobs"] = before + stored,
            ["seconds"] = Math.Round(elapsed, 3),
            ["blobsPerSecond"] = Math.Round(stored / elapsed, 1),
            ["reachedTarget"] = before + stored >= live,
            ["harnessRssBytes"] = rss,
            ["harnessPeakRssBytes"] = peak,
            ["managedHeapBytes"] = GC.GetTotalMemory(false),
            ["dataDirectoryBytes"] = ProcessMemory.DirectoryBytes(directory),
        };
        Console.Error.WriteLine($"store-fill: +{stored} blobs in {elapsed:F1} s ({stored / elapsed:F0}/s), {result["liveBlobs"]} live, data {result["dataDirectoryBytes"]} bytes");
        CommandLine.Write(args, result);
        return 0;
    }

    public static async Task<int> ExpiryAsync(string[] args)
    {
        var blobs = CommandLine.Int(args, "--blobs", 100_000);
        var size = CommandLine.Int(args, "--size", 2048);
        const int epochSeconds = 3600;
        const int lifetime = 60;
        var root = Directory.CreateTempSubdirectory("stir-bench-expiry-");
        try
        {
            var clock = new ManualClock(DateTimeOffset.UtcNow);
            var options = Options(root.FullName, epochSeconds, lifetime);

            // A background sweep would race the timed one: the longest interval keeps it out of the way.
            options.SweepInterval = TimeSpan.FromMinutes(1);
            await using var store = LiteDbBlobStore.Open(options, clock);
            var epoch = (ulong)(clock.GetUtcNow().ToUnixTimeSeconds() / epochSeconds);
            var bucketExpires = (((long)epoch + 1) * epochSeconds * 1000) + (long)options.BucketRetentionAfterEpoch.TotalMilliseconds;
            var content = RandomNumberGenerator.GetBytes(size);
            var next = 0L;
            var fill = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
            {
                long bucket;
                while ((bucket = Interlocked.Increment(ref next) - 1) * BlobsPerBucket < blobs)
                {
                    await AppendAsync(store, new BucketKey(epoch, size, (uint)bucket), BlobsPerBucket, content, clock, lifetime, bucketExpires);
                }
            }));
            var filled = next * BlobsPerBucket;
            var fillSeconds = fill.Elapsed.TotalSeconds;
            var full = ProcessMemory.DirectoryBytes(root.FullName);

            clock.Advance(TimeSpan.FromSeconds(lifetime + 1));
            var sweep = Stopwatch.StartNew();
            await store.SweepAsync();
            var sweepSeconds = sweep.Elapsed.TotalSeconds;
            var afterBlobs = ProcessMemory.DirectoryBytes(root.FullName);

            var untilDropped = DateTimeOffset.FromUnixTimeMilliseconds(bucketExpires) - clock.GetUtcNow() + TimeSpan.FromSeconds(1);
            clock.Advance(untilDropped);
            var drop = Stopwatch.StartNew();
            await store.SweepAsync();
            var dropSeconds = drop.Elapsed.TotalSeconds;
            var afterEpoch = ProcessMemory.DirectoryBytes(root.FullName);
            var result = new JsonObject
            {
                ["blobs"] = filled,
                ["fillSeconds"] = Math.Round(fillSeconds, 3),
                ["sweepSeconds"] = Math.Round(sweepSeconds, 3),
                ["blobsDeletedPerSecond"] = Math.Round(filled / sweepSeconds, 1),
                ["epochDropSeconds"] = Math.Round(dropSeconds, 3),
                ["bytesFull"] = full,
                ["bytesAfterBlobExpiry"] = afterBlobs,
                ["bytesAfterEpochDropped"] = afterEpoch,
            };
            Console.Error.WriteLine($"store-expiry: {filled} blobs deleted in {sweepSeconds:F2} s; {full} → {afterBlobs} → {afterEpoch} bytes");
            CommandLine.Write(args, result);
        }
        finally
        {
            root.Delete(recursive: true);
        }

        return 0;
    }

    private static LiteDbStoreOptions Options(string directory, int epochSeconds, int lifetime) => new()
    {
        DataDirectory = Path.GetFullPath(directory),
        EpochLength = TimeSpan.FromSeconds(epochSeconds),

        // As the CPS computes it (CpsStoreRegistration): the longest lifetime plus twice the default skew.
        BucketRetentionAfterEpoch = TimeSpan.FromSeconds(lifetime + 10),
    };

    private static async Task<bool> AppendAsync(LiteDbBlobStore store, BucketKey key, int count, byte[] content, TimeProvider clock, int lifetime, long bucketExpires)
    {
        var state = await store.ReadAsync(key, CancellationToken.None);
        var used = state.Events.Select(e => e.Slot).ToHashSet();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var blobs = Enumerable.Range(0, 16).Where(s => !used.Contains(s)).Take(count)
            .Select(s => new StoredBlob(s, now, now + (lifetime * 1000L), content)).ToList();
        return blobs.Count == count && await store.TryAppendAsync(key, state.Version, blobs, bucketExpires, CancellationToken.None);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _now = start.ToUnixTimeMilliseconds();

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _now));

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)by.TotalMilliseconds);
    }
}
