using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LiteDB;
using LiteDB.Engine;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Benchmarks.Load;

/// <summary>
/// <c>litedb</c> mode: the embedded store's floor. Raw LiteDB doing, per store, exactly the database work of one
/// CPS store (a lookup of the bucket by <c>_id</c>, then an upsert of the same bucket document the CPS writes:
/// <see cref="BucketDocument.ToBson"/> with one blob of <c>size</c> + at-rest overhead bytes and its slot event),
/// on the same engine settings and durability (LiteDB log and data through <see cref="DurableFileStream"/>, the
/// log fsynced after every commit), with nothing else: no HTTP, no slot engine, no at-rest encryption.
/// Measured twice: one store per transaction (auto-commit) and <c>batch</c> stores per transaction (what the
/// CPS's group commit does under concurrent load).
/// </summary>
internal static class RawLiteDb
{
    public static int Run(string[] args)
    {
        var seconds = CommandLine.Number(args, "--seconds", 5);
        var size = CommandLine.Int(args, "--size", 2048);
        var batch = CommandLine.Int(args, "--batch", 100);
        var root = Directory.CreateTempSubdirectory("stir-bench-litedb-");
        try
        {
            var results = new JsonArray
            {
                Measure(Path.Combine(root.FullName, "auto"), 1, seconds, size),
                Measure(Path.Combine(root.FullName, "group"), batch, seconds, size),
            };
            foreach (var r in results)
            {
                Console.Error.WriteLine($"litedb: {r!["mode"]}: {r["storesPerSecond"]} stores/s");
            }

            CommandLine.Write(args, results);
        }
        finally
        {
            root.Delete(recursive: true);
        }

        return 0;
    }

    private static JsonObject Measure(string directory, int batch, double seconds, int size)
    {
        Directory.CreateDirectory(directory);
        var data = DurableFileStream.OpenOrCreate(Path.Combine(directory, "epoch.db"));
        var log = DurableFileStream.OpenOrCreate(Path.Combine(directory, "epoch-log.db"));
        var settings = new EngineSettings
        {
            DataStream = data,
            LogStream = log,
            Collation = new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal),
            AutoRebuild = false,
        };
        var database = new LiteDatabase(new LiteEngine(settings), mapper: null, disposeOnClose: true);
        var buckets = database.GetCollection("buckets");
        var content = RandomNumberGenerator.GetBytes(size + BlobAtRestCipher.Overhead);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var stores = 0L;
        var transactions = 0L;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        while (clock.Elapsed < deadline)
        {
            database.BeginTrans();
            for (var i = 0; i < batch; i++)
            {
                var key = new BucketKey(1, size, (uint)RandomNumberGenerator.GetInt32(1 << 20));
                var found = buckets.FindById(key.ToString());
                var version = found is null ? 1 : found["v"].AsInt64 + 1;
                var document = new BucketDocument(key, version, now + 3_600_000, [new SlotEvent(i % 15, now, now + 30_000)], [new SealedBlobEntry(i % 15, now, now + 30_000, 0, content)]);
                buckets.Upsert(document.ToBson());
                stores++;
            }

            database.Commit();
            log.SyncToDisk();
            transactions++;
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        database.Dispose();
        data.Dispose();
        log.Dispose();
        return new JsonObject
        {
            ["mode"] = batch == 1 ? "auto-commit" : $"{batch} per transaction",
            ["batch"] = batch,
            ["stores"] = stores,
            ["transactions"] = transactions,
            ["seconds"] = Math.Round(elapsed, 3),
            ["storesPerSecond"] = Math.Round(stores / elapsed, 1),
        };
    }
}
