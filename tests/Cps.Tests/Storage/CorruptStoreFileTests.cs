using System.Security.Cryptography;
using LiteDB;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// Files on disk are input too: a damaged database or key file stops the open with an error naming the file,
/// and a stored blob that does not authenticate is dropped and counted, never served.
/// </summary>
public sealed class CorruptStoreFileTests : IDisposable
{
    private const long EpochMs = 3_600_000;
    private static readonly ulong Epoch = 1_800_000_000 / 3600;
    private readonly TemporaryDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds((long)Epoch * EpochMs + 100_000));

    private string StoreDirectory => Path.Combine(_directory.Path, "cps");

    private string DataFile => Path.Combine(StoreDirectory, $"epoch-{Epoch}.db");

    private string LogFile => Path.Combine(StoreDirectory, $"epoch-{Epoch}-log.db");

    public static TheoryData<string, string> EpochFileDamage => new()
    {
        { "truncated below one page", "length 5000 is not a whole number of 8192-byte pages" },
        { "truncated mid-page", "length {n} is not a whole number of 8192-byte pages" },
        { "header zeroed", "cannot be opened as a LiteDB database: " },
        { "random bytes", "cannot be opened as a LiteDB database: " },
        { "half its pages cut", "cannot be read: " },
        { "pages zeroed", "cannot be read: " },
    };

    [Theory]
    [MemberData(nameof(EpochFileDamage))]
    public async Task Open_WithDamagedEpochFile_ThrowsNamingIt(string damage, string problem)
    {
        await WriteSomeBucketsAsync(40);
        var length = new FileInfo(DataFile).Length;
        switch (damage)
        {
            case "truncated below one page":
                Truncate(DataFile, 5000);
                break;
            case "truncated mid-page":
                Truncate(DataFile, length - 100);
                break;
            case "header zeroed":
                Overwrite(DataFile, 0, new byte[100]);
                break;
            case "random bytes":
                File.WriteAllBytes(DataFile, RandomNumberGenerator.GetBytes((int)length));
                break;
            case "half its pages cut":
                Truncate(DataFile, length / 8192 / 2 * 8192);
                break;
            case "pages zeroed":
                Overwrite(DataFile, length / 8192 / 2 * 8192, new byte[3 * 8192]);
                break;
        }

        var exception = Assert.Throws<CorruptStoreFileException>(Open);

        Assert.Equal(DataFile, exception.FilePath);
        var expected = problem.Replace("{n}", $"{length - 100}", StringComparison.Ordinal);
        Assert.StartsWith($"Store file \"{DataFile}\": {expected}", exception.Message, StringComparison.Ordinal);
        // The failed open released everything: once the damaged file is removed, the store opens.
        File.Delete(DataFile);
        File.Delete(LogFile);
        await using var store = Open();
    }

    [Fact]
    public async Task Open_WithLogWhoseDatabaseIsGone_ThrowsNamingTheLog()
    {
        await WriteSomeBucketsAsync(1);
        File.Delete(DataFile);
        File.WriteAllBytes(LogFile, new byte[8192]);

        var exception = Assert.Throws<CorruptStoreFileException>(Open);

        Assert.Equal(LogFile, exception.FilePath);
        Assert.Equal($"Store file \"{LogFile}\": the log holds transactions but its database file is missing", exception.Message);
    }

    [Fact]
    public async Task Open_WithMalformedBucketDocument_ThrowsNamingFileDocumentAndField()
    {
        await WriteSomeBucketsAsync(2);
        using (var database = new LiteDatabase(new ConnectionString { Filename = DataFile, Connection = ConnectionType.Direct }))
        {
            var buckets = database.GetCollection("buckets");
            var document = buckets.FindById($"{Epoch}/2048/1");
            document["v"] = "one";
            buckets.Update(document);
        }

        var exception = Assert.Throws<CorruptStoreFileException>(Open);

        Assert.Equal($"Store file \"{DataFile}\": bucket document \"{Epoch}/2048/1\": \"v\" is missing or not a 64-bit integer", exception.Message);
    }

    public static TheoryData<string, string, string> KeyFileDamage => new()
    {
        { "cover.key", "bit flipped", "checksum does not match its content (the file is damaged)" },
        { "cover.key", "truncated", "length is 63 bytes, expected 64" },
        { "cover.key", "extended", "length is 65 bytes, expected 64" },
        { "cover.key", "empty", "length is 0 bytes, expected 64" },
        { "cover.key", "swapped", "does not start with \"STIRCCK1\" (not a cover key file)" },
        { "index-salt.key", "bit flipped", "checksum does not match its content (the file is damaged)" },
        { "index-salt.key", "swapped", "does not start with \"STIRCIS1\" (not a index salt file)" },
        { "period", "bit flipped", "checksum does not match its content (the file is damaged)" },
        { "period", "truncated", "length is 63 bytes, expected 64" },
        { "period", "renamed", "holds the key of period {p}, but its name says period {p+1}" },
    };

    [Theory]
    [MemberData(nameof(KeyFileDamage))]
    public async Task Open_WithDamagedKeyFile_ThrowsNamingIt(string file, string damage, string problem)
    {
        await WriteSomeBucketsAsync(1);
        var period = _time.GetUtcNow().ToUnixTimeMilliseconds() / 10_000;
        var path = file == "period" ? PeriodKeyPath(period) : Path.Combine(StoreDirectory, file);
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "bit flipped":
                bytes[20] ^= 0x01;
                File.WriteAllBytes(path, bytes);
                break;
            case "truncated":
                File.WriteAllBytes(path, bytes[..^1]);
                break;
            case "extended":
                File.WriteAllBytes(path, [.. bytes, 0]);
                break;
            case "empty":
                File.WriteAllBytes(path, []);
                break;
            case "swapped":
                var other = Path.Combine(StoreDirectory, file == "cover.key" ? "index-salt.key" : "cover.key");
                File.WriteAllBytes(path, File.ReadAllBytes(other));
                break;
            case "renamed":
                File.Delete(PeriodKeyPath(period + 1));
                File.Move(path, PeriodKeyPath(period + 1));
                path = PeriodKeyPath(period + 1);
                break;
        }

        var exception = Assert.Throws<CorruptStoreFileException>(Open);

        Assert.Equal(path, exception.FilePath);
        Assert.Equal($"Store file \"{path}\": {problem.Replace("{p}", $"{period}", StringComparison.Ordinal).Replace("{p+1}", $"{period + 1}", StringComparison.Ordinal)}", exception.Message);
    }

    [Fact]
    public async Task Open_WithZeroFilledPeriodKey_FinishesItsInterruptedDestruction()
    {
        await WriteSomeBucketsAsync(1);
        var past = PeriodKeyPath(_time.GetUtcNow().ToUnixTimeMilliseconds() / 10_000 + 3);
        File.WriteAllBytes(past, new byte[StoreKeyFile.Length]);

        await using var store = Open();

        // Deleted, then created afresh as one of the coming periods' keys.
        Assert.Contains(File.ReadAllBytes(past), b => b != 0);
    }

    public static TheoryData<string> BlobTampering => ["sealed byte", "slot", "start", "end", "period"];

    [Theory]
    [MemberData(nameof(BlobTampering))]
    [Trait("Claim", "TM-12")]
    public async Task Read_OfStoredBlobThatDoesNotAuthenticate_DropsAndCountsIt(string tampering)
    {
        var key = new BucketKey(Epoch, 2048, 5);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var intact = new StoredBlob(1, now, now + 30_000, RandomNumberGenerator.GetBytes(2048));
        await using (var store = Open())
        {
            var victim = new StoredBlob(0, now, now + 30_000, RandomNumberGenerator.GetBytes(2048));
            Assert.True(await store.TryAppendAsync(key, 0, [victim, intact], ((long)Epoch + 1) * EpochMs + 65_000, default));
        }
        using (var file = EpochFile.OpenOrCreate(StoreDirectory, Epoch, long.MaxValue))
        {
            var document = Assert.Single(file.ReadAll());
            var blob = document.Blobs[0];
            document.Blobs[0] = tampering switch
            {
                "sealed byte" => blob with { Sealed = Flip(blob.Sealed, 40) },
                "slot" => blob with { Slot = 2 },
                "start" => blob with { StartUnixMs = blob.StartUnixMs - 1 },
                "end" => blob with { EndUnixMs = blob.EndUnixMs + 60_000 },
                _ => blob with { Period = blob.Period + 1 },
            };
            file.BeginTransaction();
            file.Upsert(document);
            file.Commit();
        }

        await using var reopened = Open();
        var state = await reopened.ReadAsync(key, default);

        var served = Assert.Single(state.LiveBlobs);
        Assert.Equal(intact.Content.ToArray(), served.Content.ToArray());
        Assert.Equal(1, reopened.CorruptBlobCount);
    }

    public void Dispose() => _directory.Dispose();

    private LiteDbBlobStore Open() => LiteDbBlobStore.Open(LiteDbStoreFixture.Options(_directory.Path), _time);

    private string PeriodKeyPath(long period) => Path.Combine(StoreDirectory, "keys", $"period-{period}.key");

    private async Task WriteSomeBucketsAsync(int count)
    {
        await using var store = Open();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        for (uint bucket = 0; bucket < count; bucket++)
        {
            var blob = new StoredBlob(0, now, now + 30_000, RandomNumberGenerator.GetBytes(2048));
            Assert.True(await store.TryAppendAsync(new BucketKey(Epoch, 2048, bucket), 0, [blob], ((long)Epoch + 1) * EpochMs + 65_000, default));
        }
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x80;
        return copy;
    }

    private static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open);
        stream.SetLength(length);
    }

    private static void Overwrite(string path, long offset, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Open);
        stream.Position = offset;
        stream.Write(bytes);
    }
}
