using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.DirectoryService.Tests.Support;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Tests.Support;
using Xunit.Abstractions;

namespace Stir.Encrypted.DirectoryService.Tests.Storage;

/// <summary>
/// Durability under crashes (spec/protocol.md §10 "Storage"): the directory runs as a real process while two
/// writers publish and revoke, and is killed with SIGKILL at seeded random moments (some while it opens the store);
/// after every kill it restarts on the same data directory, the store opens, and every publication and revocation it
/// acknowledged is there: the stored entry of its rid is the acknowledged one or a later one, the change log holds it,
/// and replaying the log from the start reproduces the snapshot exactly (nothing torn, nothing lost in between).
/// </summary>
public sealed class CrashDurabilityTests : IDisposable
{
    private const int Seed = 20261128;
    private const int Kills = 8;
    private const int Writers = 2;
    private const int RidsPerWriter = 6;
    private readonly TemporaryDirectory _data = new();
    private readonly KeyRecordPki _pki = new(new FakeTimeProvider(DateTimeOffset.UtcNow));
    private readonly ITestOutputHelper _output;

    public CrashDurabilityTests(ITestOutputHelper output) => _output = output;

    [Fact]
    [Trait("Claim", "TM-28")]
    public async Task Sigkill_AtRandomMoments_LosesNoAcknowledgedPublicationOrRevocation_AndTheStoreReopens()
    {
        var random = new Random(Seed);
        var anchors = _data.File("anchors.pem");
        File.WriteAllText(anchors, _pki.RootPem);
        var carrier = _pki.Issue("carrier", "range:12025550000+10000");
        var acknowledged = new List<Acknowledgement>();
        var killedWhileOpening = 0;
        var interrupted = 0;
        var started = Stopwatch.StartNew();

        for (var run = 0; run < Kills; run++)
        {
            if (run > 0 && random.Next(4) == 0)
            {
                // A kill while the process starts and opens the store (the store exists by now).
                var opening = DirectoryProcess.Launch(_data.Path, anchors);
                await Task.Delay(random.Next(50, 1500));
                killedWhileOpening += opening.IsListening ? 0 : 1;
                await opening.DisposeAsync();
            }

            await using var directory = await DirectoryProcess.StartAsync(_data.Path, anchors);
            using var http = new HttpClient { BaseAddress = directory.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
            var state = await VerifyAsync(http, acknowledged, run);

            // Writers continue every rid from the seq now stored (an unacknowledged publication may have landed).
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers)
                .Select(w => WriteAsync(http, carrier, w, state, new Random(random.Next()), stop.Token))
                .ToList();
            await Task.Delay(random.Next(800, 4000));
            await directory.KillAsync();
            await stop.CancelAsync();
            foreach (var writer in writers)
            {
                var (acks, cut) = await writer;
                acknowledged.AddRange(acks);
                interrupted += cut ? 1 : 0;
            }
        }

        await using (var last = await DirectoryProcess.StartAsync(_data.Path, anchors))
        {
            using var http = new HttpClient { BaseAddress = last.BaseUrl };
            _ = await VerifyAsync(http, acknowledged, Kills);
        }

        _output.WriteLine($"{Kills} kills ({killedWhileOpening} while opening), {interrupted} publications cut by a kill, {acknowledged.Count} acknowledged ({acknowledged.Count(a => a.Revocation)} revocations), {started.Elapsed.TotalSeconds:F0} s");
        // The kills landed among writes: most cut a publication in flight, and many were acknowledged before them.
        Assert.True(interrupted >= Kills, $"only {interrupted} of {Writers * Kills} writers had a publication in flight when the process was killed");
        Assert.True(acknowledged.Count >= 2 * Kills, $"only {acknowledged.Count} publications were acknowledged");
        Assert.Contains(acknowledged, a => a.Revocation);
    }

    public void Dispose()
    {
        _pki.Dispose();
        _data.Dispose();
    }

    // Publishes and revokes until the process dies; returns what the directory acknowledged, and whether a
    // publication was in flight when it died.
    private static async Task<(List<Acknowledgement> Acknowledged, bool Interrupted)> WriteAsync(HttpClient http, KeyRecordPki.Holder carrier, int writer, IReadOnlyDictionary<string, long> stored, Random random, CancellationToken stop)
    {
        var acknowledged = new List<Acknowledgement>();
        var seqs = Enumerable.Range(0, RidsPerWriter).Select(k => $"w{writer}-r{k}").ToDictionary(r => r, r => stored.GetValueOrDefault(r));
        while (!stop.IsCancellationRequested)
        {
            var rid = $"w{writer}-r{random.Next(RidsPerWriter)}";
            var seq = seqs[rid] + 1;
            var entry = random.Next(4) == 0 ? carrier.Revocation(rid, seq) : carrier.Record(rid, seq, [$"1202555{random.Next(10000):D4}"]);
            using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(entry.Token));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/jose");
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsync(new Uri("/v1/records", UriKind.Relative), content, CancellationToken.None);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return (acknowledged, true); // the process is gone: this one's fate is unknown
            }

            using (response)
            {
                Assert.True(response.StatusCode is HttpStatusCode.Created, $"{entry}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                acknowledged.Add(new Acknowledgement(rid, seq, entry.Token, entry.Kind == KeyRecordKind.Revocation));
                seqs[rid] = seq;
            }
        }

        return (acknowledged, false);
    }

    // The store opened; every acknowledged entry survives; the log replays into the snapshot. Returns rid → stored seq.
    private static async Task<Dictionary<string, long>> VerifyAsync(HttpClient http, List<Acknowledgement> acknowledged, int run)
    {
        using var snapshotResponse = await http.GetAsync(new Uri("/v1/snapshot", UriKind.Relative));
        snapshotResponse.EnsureSuccessStatusCode();
        using var gzip = new GZipStream(new MemoryStream(await snapshotResponse.Content.ReadAsByteArrayAsync()), CompressionMode.Decompress);
        using var snapshot = await JsonDocument.ParseAsync(gzip);
        var version = snapshot.RootElement.GetProperty("version").GetInt64();
        var entries = snapshot.RootElement.GetProperty("entries").EnumerateArray().Select(e => KeyRecord.Parse(e.GetString()!)).ToDictionary(r => r.Rid);

        // Replay the whole change log: it must reproduce the snapshot, entry for entry, at the same version.
        var replayed = new Dictionary<string, string>(StringComparer.Ordinal);
        var logged = new HashSet<string>(StringComparer.Ordinal);
        long since = 0;
        while (true)
        {
            using var page = await http.GetAsync(new Uri($"/v1/changes?since={since}", UriKind.Relative));
            Assert.True(page.IsSuccessStatusCode, $"after kill {run}: changes?since={since}: {(int)page.StatusCode}");
            using var doc = JsonDocument.Parse(await page.Content.ReadAsByteArrayAsync());
            var changes = doc.RootElement.GetProperty("changes").EnumerateArray().ToList();
            foreach (var change in changes)
            {
                var token = change.GetProperty("entry").GetString()!;
                Assert.Equal(since + 1, change.GetProperty("version").GetInt64()); // no gap, no repeat
                since++;
                replayed[KeyRecord.Parse(token).Rid] = token;
                logged.Add(token);
            }

            if (changes.Count == 0 || since >= doc.RootElement.GetProperty("latest").GetInt64())
            {
                break;
            }
        }

        Assert.Equal(version, since);
        Assert.Equal(entries.Keys.Order(StringComparer.Ordinal), replayed.Keys.Order(StringComparer.Ordinal));
        Assert.All(entries, e => Assert.Equal(e.Value.Token, replayed[e.Key]));

        foreach (var ack in acknowledged)
        {
            Assert.True(logged.Contains(ack.Token), $"after kill {run}: acknowledged {(ack.Revocation ? "revocation" : "record")} {ack.Rid} seq {ack.Seq} is not in the change log");
            Assert.True(entries.TryGetValue(ack.Rid, out var current), $"after kill {run}: rid {ack.Rid} is gone");
            Assert.True(current.Seq > ack.Seq || current.Token == ack.Token, $"after kill {run}: rid {ack.Rid} holds seq {current.Seq}, not the acknowledged seq {ack.Seq} or later");
        }

        // The latest acknowledged revocation of a rid still wins: its record is served to nobody.
        foreach (var revoked in acknowledged.GroupBy(a => a.Rid).Select(g => g.MaxBy(a => a.Seq)!).Where(a => a.Revocation && entries[a.Rid].Seq == a.Seq))
        {
            Assert.Equal(KeyRecordKind.Revocation, entries[revoked.Rid].Kind);
        }

        return entries.ToDictionary(e => e.Key, e => e.Value.Seq);
    }

    private sealed record Acknowledgement(string Rid, long Seq, string Token, bool Revocation);
}
