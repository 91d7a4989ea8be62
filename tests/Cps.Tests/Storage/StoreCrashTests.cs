using System.Diagnostics;
using System.Globalization;
using Stir.Encrypted.Cps.StoreHarness;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;
using Xunit.Abstractions;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// Durability under crashes: the store harness runs as a real process appending concurrently and is killed
/// with SIGKILL at random moments (some during its open and recovery); after every kill the store reopens and
/// every blob it acknowledged is still there, byte for byte, until its end, and nothing damaged is served.
/// </summary>
public sealed class StoreCrashTests : IDisposable
{
    private const int Kills = 20;
    private const int Seed = 20261127;
    private readonly TemporaryDirectory _directory = new();
    private readonly ITestOutputHelper _output;

    public StoreCrashTests(ITestOutputHelper output) => _output = output;

    [Fact]
    [Trait("Claim", "TM-12")]
    public async Task Sigkill_AtRandomMoments_LosesNoAcknowledgedBlob_AndTheStoreAlwaysReopens()
    {
        var random = new Random(Seed);
        var acknowledged = new List<Acknowledgement>();
        var killedBeforeReady = 0;
        for (var run = 0; run < Kills; run++)
        {
            var (lines, wasReady) = await RunAndKillAsync($"r{run}", random);
            killedBeforeReady += wasReady ? 0 : 1;
            acknowledged.AddRange(lines.Select(Acknowledgement.TryParse).OfType<Acknowledgement>());
            await VerifyAsync(acknowledged, run);
        }

        _output.WriteLine($"{Kills} kills ({killedBeforeReady} during open), {acknowledged.Count} acknowledged blobs");
        // The kills did land while the harness was writing, and some during open and recovery.
        Assert.True(acknowledged.Count >= 200, $"only {acknowledged.Count} blobs were acknowledged");
        Assert.InRange(killedBeforeReady, 1, Kills - 5);
    }

    public void Dispose() => _directory.Dispose();

    private async Task<(List<string> Lines, bool WasReady)> RunAndKillAsync(string runId, Random random)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Stir.Encrypted.Cps.StoreHarness.dll"));
        start.ArgumentList.Add(_directory.Path);
        start.ArgumentList.Add(runId);
        start.ArgumentList.Add("60");
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line == "ready")
                {
                    ready.TrySetResult();
                }
                lines.Add(line);
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();

        // One kill in five lands at once, while the store opens (recovering the previous kill's log).
        var killEarly = random.Next(5) == 0;
        var wait = killEarly ? random.Next(0, 400) : random.Next(50, 1500);
        if (!killEarly)
        {
            var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(ready.Task.IsCompleted, $"the harness did not start: {(process.HasExited ? await stderr : "timeout")}");
        }
        await Task.Delay(wait);
        var wasReady = ready.Task.IsCompleted;
        Assert.False(process.HasExited, $"the harness stopped by itself: {(process.HasExited ? await stderr : "")}");
        process.Kill(entireProcessTree: false); // SIGKILL on Unix: no finally blocks, no flush, no dispose.
        await process.WaitForExitAsync();
        await stdout;
        return (lines, wasReady);
    }

    private async Task VerifyAsync(List<Acknowledgement> acknowledged, int run)
    {
        // Must open whatever state the kill left: no exception.
        await using var store = LiteDbBlobStore.Open(HarnessStore.Options(_directory.Path), TimeProvider.System);
        // Leave a margin so a blob does not end between the clock read and the store's own.
        var horizon = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() + 5_000;
        var epochs = acknowledged.Select(ack => ack.Key.Epoch).Distinct().ToList();
        foreach (var epoch in epochs)
        {
            for (uint bucket = 0; bucket < HarnessStore.Buckets; bucket++)
            {
                var key = new BucketKey(epoch, HarnessStore.BlobSize, bucket);
                var state = await store.ReadAsync(key, default);
                foreach (var blob in state.LiveBlobs)
                {
                    Assert.True(HarnessStore.IsSound(blob.Content.Span, out _), $"run {run}: a damaged blob was served from bucket {key}");
                }
                foreach (var ack in acknowledged.Where(ack => ack.Key == key && ack.EndUnixMs > horizon))
                {
                    var content = HarnessStore.Content(ack.Id);
                    Assert.True(
                        state.LiveBlobs.Any(blob => blob.Slot == ack.Slot && blob.StartUnixMs == ack.StartUnixMs && blob.EndUnixMs == ack.EndUnixMs && blob.Content.Span.SequenceEqual(content)),
                        $"run {run}: acknowledged blob {ack.Id} is missing from bucket {key}");
                }
            }
        }
        Assert.Equal(0, store.CorruptBlobCount);
    }

    private sealed record Acknowledgement(BucketKey Key, int Slot, long StartUnixMs, long EndUnixMs, string Id)
    {
        /// <summary>Only complete lines count: a line cut by the kill has no final "end".</summary>
        public static Acknowledgement? TryParse(string line)
        {
            var parts = line.Split(' ');
            if (parts.Length != 9 || parts[0] != "ack" || parts[8] != "end")
            {
                return null;
            }
            var c = CultureInfo.InvariantCulture;
            return new Acknowledgement(
                new BucketKey(ulong.Parse(parts[1], c), int.Parse(parts[2], c), uint.Parse(parts[3], c)),
                int.Parse(parts[4], c),
                long.Parse(parts[5], c),
                long.Parse(parts[6], c),
                parts[7]);
        }
    }
}
