using System.Globalization;
using System.Security.Cryptography;

namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// The at-rest keys, one per period of <see cref="LiteDbStoreOptions.KeyPeriod"/>, each in its own file
/// <c>keys/period-&lt;p&gt;.key</c>: created ahead of use and durable before anything sealed under them is
/// acknowledged, destroyed (overwritten, synced, deleted) as soon as their period is over.
/// </summary>
/// <remarks>
/// Only the writer loop creates and destroys keys; readers use them under a read lock, so a key is never wiped
/// while a reader decrypts with it.
/// </remarks>
internal sealed class PeriodKeyRing : IDisposable
{
    private const string FilePrefix = "period-";
    private const string FileSuffix = ".key";

    private readonly string _directory;
    private readonly long _periodMs;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SortedDictionary<long, byte[]> _keys = [];

    private PeriodKeyRing(string directory, long periodMs)
    {
        _directory = directory;
        _periodMs = periodMs;
    }

    /// <summary>
    /// Loads the keys of periods not yet over; destroys the files of periods that are over, and temporary files
    /// a crash left (never renamed, so nothing sealed under them was acknowledged). A damaged key file of a
    /// live period throws <see cref="CorruptStoreFileException"/>.
    /// </summary>
    public static PeriodKeyRing Open(string directory, long periodMs, long nowUnixMs)
    {
        var ring = new PeriodKeyRing(directory, periodMs);
        try
        {
            foreach (var path in Directory.EnumerateFiles(directory))
            {
                var name = Path.GetFileName(path);
                if (name.EndsWith(DurableFiles.TemporarySuffix, StringComparison.Ordinal))
                {
                    DurableFiles.Destroy(path);
                    continue;
                }
                if (!TryParseFileName(name, out var period))
                {
                    continue;
                }
                if (ring.IsOver(period, nowUnixMs))
                {
                    DurableFiles.Destroy(path);
                    continue;
                }
                var file = StoreSecret.ReadSmallFile(path);
                try
                {
                    if (file.Length == StoreKeyFile.Length && !file.AsSpan().ContainsAnyExcept((byte)0))
                    {
                        // Overwritten by a destruction that a crash interrupted before the delete.
                        DurableFiles.Delete(path);
                        continue;
                    }
                    var key = GC.AllocateArray<byte>(StoreKeyFile.ValueLength, pinned: true);
                    StoreKeyFile.Parse(path, file, StoreKeyKind.PeriodKey, (ulong)period, key);
                    ring._keys[period] = key;
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(file);
                }
            }
            return ring;
        }
        catch
        {
            ring.Dispose();
            throw;
        }
    }

    /// <summary>The period containing the last instant a blob ending at <paramref name="endUnixMs"/> is served.</summary>
    public long PeriodOf(long endUnixMs) => (endUnixMs - 1) / _periodMs;

    /// <summary>Whether the period has ended at <paramref name="nowUnixMs"/> (its key must then be gone).</summary>
    public bool IsOver(long period, long nowUnixMs) => (period + 1) * _periodMs <= nowUnixMs;

    /// <summary>The path of a period's key file.</summary>
    private string PathOf(long period) => Path.Combine(_directory, FilePrefix + period.ToString(CultureInfo.InvariantCulture) + FileSuffix);

    /// <summary>Whether the key of <paramref name="period"/> is held.</summary>
    public bool Contains(long period)
    {
        _lock.EnterReadLock();
        try
        {
            return _keys.ContainsKey(period);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Creates, durably, the keys of <paramref name="periods"/> that are missing (writer loop only). Returns only
    /// once every one of them is on disk and synced: each file is written and synced under a temporary name,
    /// then all are renamed and the directory synced once.
    /// </summary>
    public void EnsureKeys(IEnumerable<long> periods)
    {
        var created = new List<(long Period, byte[] Key)>();
        try
        {
            foreach (var period in periods)
            {
                if (Contains(period) || created.Exists(entry => entry.Period == period))
                {
                    continue;
                }
                var key = GC.AllocateArray<byte>(StoreKeyFile.ValueLength, pinned: true);
                created.Add((period, key));
                RandomNumberGenerator.Fill(key);
                var file = StoreKeyFile.Format(StoreKeyKind.PeriodKey, (ulong)period, key);
                try
                {
                    DurableFiles.WriteSynced(PathOf(period) + DurableFiles.TemporarySuffix, file);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(file);
                }
            }
            if (created.Count == 0)
            {
                return;
            }
            foreach (var (period, _) in created)
            {
                File.Move(PathOf(period) + DurableFiles.TemporarySuffix, PathOf(period), overwrite: true);
            }
            DurableFiles.SyncDirectory(_directory);
        }
        catch
        {
            foreach (var (period, key) in created)
            {
                CryptographicOperations.ZeroMemory(key);
                TryDestroy(PathOf(period) + DurableFiles.TemporarySuffix);
                TryDestroy(PathOf(period));
            }
            throw;
        }
        _lock.EnterWriteLock();
        try
        {
            foreach (var (period, key) in created)
            {
                _keys[period] = key;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Wipes and destroys the keys (in memory and on disk) of every period over at <paramref name="nowUnixMs"/>.</summary>
    public void DestroyOver(long nowUnixMs)
    {
        List<long> over = [];
        _lock.EnterWriteLock();
        try
        {
            foreach (var (period, key) in _keys)
            {
                if (!IsOver(period, nowUnixMs))
                {
                    break;
                }
                CryptographicOperations.ZeroMemory(key);
                over.Add(period);
            }
            foreach (var period in over)
            {
                _keys.Remove(period);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
        foreach (var period in over)
        {
            DurableFiles.Destroy(PathOf(period));
        }
    }

    /// <summary>Seals a blob under its period's key; false when that key is not held.</summary>
    public bool TrySeal(in BlobPlace place, ReadOnlySpan<byte> plaintext, out byte[] sealedBlob)
    {
        _lock.EnterReadLock();
        try
        {
            if (!_keys.TryGetValue(place.Period, out var key))
            {
                sealedBlob = [];
                return false;
            }
            sealedBlob = BlobAtRestCipher.Seal(key, place, plaintext);
            return true;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Opens a sealed blob; false when its period's key is gone or the blob does not authenticate.</summary>
    public bool TryOpen(in BlobPlace place, ReadOnlySpan<byte> sealedBlob, out byte[] plaintext)
    {
        _lock.EnterReadLock();
        try
        {
            if (!_keys.TryGetValue(place.Period, out var key))
            {
                plaintext = [];
                return false;
            }
            return BlobAtRestCipher.TryOpen(key, place, sealedBlob, out plaintext);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }
        _keys.Clear();
        _lock.Dispose();
    }

    public override string ToString() => $"PeriodKeyRing({_keys.Count} keys)";

    private static void TryDestroy(string path)
    {
        try
        {
            DurableFiles.Destroy(path);
        }
        catch (IOException)
        {
            // Left for the next open, which destroys temporary files and keys it cannot use.
        }
    }

    private static bool TryParseFileName(string name, out long period)
    {
        period = 0;
        return name.StartsWith(FilePrefix, StringComparison.Ordinal)
            && name.EndsWith(FileSuffix, StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(FilePrefix.Length, name.Length - FilePrefix.Length - FileSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out period);
    }
}
