using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.StoreHarness;

/// <summary>
/// <c>Stir.Encrypted.Cps.StoreHarness &lt;data directory&gt; &lt;run id&gt; &lt;seconds to run&gt;</c>: opens the CPS store
/// on the directory, prints <c>ready</c>, then appends from several concurrent writers, printing
/// <c>ack &lt;epoch&gt; &lt;size&gt; &lt;bucket&gt; &lt;slot&gt; &lt;start&gt; &lt;end&gt; &lt;id&gt; end</c> for every blob of every
/// acknowledged append, one flushed line each. The crash test kills it with SIGKILL and checks that every
/// printed blob survived. It stops by itself after the given time, should a test die without killing it.
/// </summary>
internal static class HarnessProgram
{
    private const int Writers = 8;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 3 || !int.TryParse(args[2], out var seconds))
        {
            await Console.Error.WriteLineAsync("usage: Stir.Encrypted.Cps.StoreHarness <data directory> <run id> <seconds to run>");
            return 2;
        }
        var runId = args[1];
        var time = TimeProvider.System;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        await using var store = LiteDbBlobStore.Open(HarnessStore.Options(args[0]), time);
        var output = Console.Out;
        var gate = new object();
        lock (gate)
        {
            output.WriteLine("ready");
            output.Flush();
        }

        long counter = 0;
        var epochMs = (long)HarnessStore.EpochLength.TotalMilliseconds;
        var retentionMs = (long)HarnessStore.Retention.TotalMilliseconds;
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            var random = new Random();
            while (!stop.IsCancellationRequested)
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var epoch = (ulong)(now / epochMs);
                var key = new BucketKey(epoch, HarnessStore.BlobSize, (uint)random.Next(HarnessStore.Buckets));
                var bucketExpires = ((long)epoch + 1) * epochMs + retentionMs;
                var state = await store.ReadAsync(key, CancellationToken.None);
                var blobs = new List<StoredBlob>();
                var ids = new List<string>();
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    var id = $"{runId}-{Interlocked.Increment(ref counter)}";
                    var end = Math.Min(now + random.Next(20_000, 40_000), bucketExpires);
                    blobs.Add(new StoredBlob(random.Next(16), now, end, HarnessStore.Content(id)));
                    ids.Add(id);
                }
                if (await store.TryAppendAsync(key, state.Version, blobs, bucketExpires, CancellationToken.None))
                {
                    lock (gate)
                    {
                        for (var i = 0; i < blobs.Count; i++)
                        {
                            output.WriteLine($"ack {key.Epoch} {key.Size} {key.Bucket} {blobs[i].Slot} {blobs[i].StartUnixMs} {blobs[i].EndUnixMs} {ids[i]} end");
                        }
                        output.Flush();
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(writers);
        return 0;
    }
}
