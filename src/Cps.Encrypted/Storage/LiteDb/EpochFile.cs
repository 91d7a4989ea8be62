using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using LiteDB;
using LiteDB.Engine;

namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// The LiteDB database of one epoch (<c>epoch-&lt;e&gt;.db</c> and its log <c>epoch-&lt;e&gt;-log.db</c>): every bucket
/// of that epoch, one document each. Once every bucket of the epoch has expired the two files are deleted
/// whole, which keeps storage bounded without ever rebuilding a LiteDB file (they never shrink).
/// </summary>
/// <remarks>
/// Writes happen on the writer loop only, inside <see cref="BeginTransaction"/> … <see cref="Commit"/> with no
/// <c>await</c> between (LiteDB binds a transaction to its thread). Readers may run at any time; a read lock
/// keeps the database open until they finish, and <see cref="Retire"/> waits for them.
/// <para>After a failed write the instance is <see cref="Abandon">abandoned</see>, never written again: LiteDB 5
/// may keep the failed transaction's collection lock (the next write then waits a minute for it) or close its
/// engine, and after a failed <c>fsync</c> the kernel may have dropped pages LiteDB believes written (PostgreSQL's
/// "fsyncgate"). The store opens the files again instead, which runs LiteDB's recovery from what is on disk.</para>
/// </remarks>
internal sealed class EpochFile : IDisposable
{
    private const string FilePrefix = "epoch-";
    private const string DataSuffix = ".db";
    private const string LogSuffix = "-log.db";
    private const int PageSize = 8192;
    private const string BucketsCollection = "buckets";
    private const string MetaCollection = "meta";
    private const int ScanPageSize = 256;
    private static readonly TimeSpan AbandonWait = TimeSpan.FromSeconds(5);

    // LiteDB 5 objects of an abandoned instance are never let go: a transaction whose commit or rollback failed is
    // left undisposed inside the engine, and its finalizer (TransactionService.Finalize → DiscardDirtyPages) throws
    // "discarded page must be writable" on the finalizer thread, which ends the process (seen in this project's
    // tests; LiteDB issue 2586 is the same assertion). Kept reachable, they are never finalized (the runtime runs no
    // finalizers at exit). One engine per failed write: the store gives up after MaxAbandoned (see LiteDbBlobStore).
    private static readonly List<LiteDatabase> Abandoned = [];

    private readonly DurableFileStream _data;
    private readonly DurableFileStream _log;
    private readonly LiteDatabase _database;
    private readonly ILiteCollection<BsonDocument> _buckets;
    private readonly ReaderWriterLockSlim _lifetime = new(LockRecursionPolicy.NoRecursion);
    private bool _retired;
    private volatile bool _broken;

    private EpochFile(ulong epoch, string dataPath, string logPath, long deletionUnixMs, DurableFileStream data, DurableFileStream log, LiteDatabase database)
    {
        Epoch = epoch;
        DataPath = dataPath;
        LogPath = logPath;
        DeletionUnixMs = deletionUnixMs;
        _data = data;
        _log = log;
        _database = database;
        _buckets = database.GetCollection(BucketsCollection);
    }

    public ulong Epoch { get; }

    public string DataPath { get; }

    public string LogPath { get; }

    /// <summary>When every bucket of the epoch has expired and the files are deleted.</summary>
    public long DeletionUnixMs { get; }

    /// <summary>Whether a write failed on this instance: it serves nothing more, and the store opens the files again.</summary>
    public bool IsBroken => _broken;

    /// <summary>How many LiteDB instances this process has abandoned (each is kept in memory, see <c>Abandoned</c>).</summary>
    public static int AbandonedCount
    {
        get
        {
            lock (Abandoned)
            {
                return Abandoned.Count;
            }
        }
    }

    public static string DataFileName(ulong epoch) => FilePrefix + epoch.ToString(CultureInfo.InvariantCulture) + DataSuffix;

    public static string LogFileName(ulong epoch) => FilePrefix + epoch.ToString(CultureInfo.InvariantCulture) + LogSuffix;

    /// <summary>Recognises <c>epoch-&lt;e&gt;.db</c> (<paramref name="isLog"/> false) and <c>epoch-&lt;e&gt;-log.db</c>.</summary>
    public static bool TryParseFileName(string name, out ulong epoch, out bool isLog)
    {
        epoch = 0;
        isLog = name.EndsWith(LogSuffix, StringComparison.Ordinal);
        var suffix = isLog ? LogSuffix : DataSuffix;
        return name.StartsWith(FilePrefix, StringComparison.Ordinal)
            && name.EndsWith(suffix, StringComparison.Ordinal)
            && ulong.TryParse(name.AsSpan(FilePrefix.Length, name.Length - FilePrefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out epoch);
    }

    /// <summary>
    /// Opens the epoch's database in <paramref name="directory"/>, creating it when absent. A file that is not a
    /// sound LiteDB database throws <see cref="CorruptStoreFileException"/> naming it.
    /// </summary>
    public static EpochFile OpenOrCreate(string directory, ulong epoch, long deletionUnixMs, IStoreFileFaults? faults = null)
    {
        var dataPath = Path.Combine(directory, DataFileName(epoch));
        var logPath = Path.Combine(directory, LogFileName(epoch));
        var dataLength = File.Exists(dataPath) ? new FileInfo(dataPath).Length : -1;
        var logLength = File.Exists(logPath) ? new FileInfo(logPath).Length : -1;
        // LiteDB silently re-initialises a data file shorter than a page (a truncated file would come back
        // empty, losing every acknowledged blob), so length is checked before LiteDB sees the file. An empty
        // data file with an empty log is a creation a crash interrupted before the header was synced: nothing
        // in it was ever acknowledged.
        if (dataLength > 0 && dataLength % PageSize != 0)
        {
            throw new CorruptStoreFileException(dataPath, $"length {dataLength} is not a whole number of {PageSize}-byte pages");
        }
        if (dataLength <= 0 && logLength > 0)
        {
            throw new CorruptStoreFileException(logPath, "the log holds transactions but its database file is missing or empty");
        }
        var creating = dataLength <= 0;

        // Failing to open the files (permissions, a full disk) is an I/O problem and surfaces as such; failing
        // to read them as a database means they are damaged.
        var data = DurableFileStream.OpenOrCreate(dataPath, faults);
        DurableFileStream? log = null;
        LiteDatabase? database = null;
        try
        {
            log = DurableFileStream.OpenOrCreate(logPath, faults);
            var settings = new EngineSettings
            {
                DataStream = data,
                LogStream = log,
                // Ordinal: _id lookups must not depend on a culture (or on case rules).
                Collation = new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal),
                AutoRebuild = false,
            };
            try
            {
                database = new LiteDatabase(new LiteEngine(settings), mapper: null, disposeOnClose: true);
            }
            catch (Exception exception)
            {
                // Streams are open by now: whatever LiteDB throws here comes from reading the files.
                throw new CorruptStoreFileException(dataPath, $"cannot be opened as a LiteDB database: {exception.Message}", exception);
            }
            if (creating)
            {
                DurableFiles.SyncDirectory(directory);
            }
            return new EpochFile(epoch, dataPath, logPath, deletionUnixMs, data, log, database);
        }
        catch
        {
            DisposeQuietly(database);
            DisposeQuietly(data);
            DisposeQuietly(log);
            throw;
        }
    }

    /// <summary>
    /// Visits every bucket document (the scan at open); a malformed one throws naming the file. Documents are
    /// read in <c>_id</c> order, <see cref="ScanPageSize"/> per read transaction: one LiteDB read transaction
    /// over the whole file would pin every page it reads (up to 100 000 pages, 800 MB) until it ends.
    /// </summary>
    public void Scan(Action<BucketDocument> visit)
    {
        try
        {
            string? last = null;
            while (true)
            {
                var query = _buckets.Query();
                if (last is not null)
                {
                    query = query.Where("_id > @0", last);
                }
                var page = query.OrderBy("_id").Limit(ScanPageSize).ToList();
                foreach (var document in page)
                {
                    var bucket = BucketDocument.FromBson(document, DataPath);
                    last = bucket.Id;
                    visit(bucket);
                }
                if (page.Count < ScanPageSize)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is not CorruptStoreFileException)
        {
            throw new CorruptStoreFileException(DataPath, $"cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>Every bucket document, in a list (small files: tests).</summary>
    public List<BucketDocument> ReadAll()
    {
        var documents = new List<BucketDocument>();
        Scan(documents.Add);
        return documents;
    }

    /// <summary>Finds a bucket by <c>_id</c>; false when absent or when the file has been retired.</summary>
    /// <exception cref="StoreUnavailableException">The instance was abandoned after a failed write (read again: the store reopens it).</exception>
    public bool TryFind(string id, [NotNullWhen(true)] out BucketDocument? document)
    {
        document = null;
        _lifetime.EnterReadLock();
        try
        {
            if (_broken)
            {
                // Not "absent": the bucket may hold blobs that a reopened instance serves.
                throw new StoreUnavailableException("The epoch's file is being reopened after a failed write.");
            }
            if (_retired)
            {
                return false;
            }
            BsonDocument? found;
            try
            {
                found = _buckets.FindById(id);
            }
            catch (Exception exception) when (exception is LiteException or IOException or ObjectDisposedException)
            {
                throw new StoreUnavailableException("The epoch's file could not be read.", exception);
            }
            if (found is null)
            {
                return false;
            }
            document = BucketDocument.FromBson(found, DataPath);
            return true;
        }
        finally
        {
            _lifetime.ExitReadLock();
        }
    }

    /// <summary>Writer loop: the stored document of a bucket, seen through the open transaction.</summary>
    public BucketDocument? FindForWrite(string id)
    {
        var found = _buckets.FindById(id);
        return found is null ? null : BucketDocument.FromBson(found, DataPath);
    }

    public void BeginTransaction()
    {
        if (_broken)
        {
            throw new InvalidOperationException("An abandoned epoch file was written to; the store must reopen it first.");
        }
        if (!_database.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on the writer thread.");
        }
    }

    public void Upsert(BucketDocument document) => _buckets.Upsert(document.ToBson());

    public void Delete(string id) => _buckets.Delete(id);

    /// <summary>The readiness probe's write: proves the file takes a durable write.</summary>
    public void WriteProbe(long nowUnixMs) =>
        _database.GetCollection(MetaCollection).Upsert(new BsonDocument { ["_id"] = "probe", ["at"] = nowUnixMs });

    /// <summary>Commits the open transaction and syncs the log, so the transaction survives a power loss.</summary>
    public void Commit()
    {
        _database.Commit();
        _log.SyncToDisk();
    }

    /// <summary>
    /// Gives the instance up after a failed write: waits for running readers, then closes the two files without
    /// asking LiteDB to (its engine may be waiting on the failed transaction's lock, and a checkpoint now would
    /// write pages of an unknown state). Readers that still hold the instance get <see cref="StoreUnavailableException"/>.
    /// </summary>
    public void Abandon()
    {
        _broken = true;
        lock (Abandoned)
        {
            Abandoned.Add(_database);
        }

        // A reader stuck inside a broken engine must not hold the writer loop: after a while the files are closed
        // under it, and it fails (a StoreUnavailableException to its caller) instead of waiting.
        var locked = _lifetime.TryEnterWriteLock(AbandonWait);
        try
        {
            if (!_retired)
            {
                _retired = true;
                DisposeQuietly(_data);
                DisposeQuietly(_log);
            }
        }
        finally
        {
            if (locked)
            {
                _lifetime.ExitWriteLock();
            }
        }
    }

    public void Rollback() => _database.Rollback();

    /// <summary>
    /// Closes the database once the readers using it have finished, then deletes both files durably. Their
    /// stale pages hold only slot times and bytes sealed under period keys that are destroyed by now.
    /// </summary>
    public void Retire()
    {
        _lifetime.EnterWriteLock();
        try
        {
            if (_retired)
            {
                return;
            }
            _retired = true;
            CloseFiles();
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
        // The log first: a data file alone is a consistent database (it was checkpointed at close).
        DurableFiles.Delete(LogPath);
        DurableFiles.Delete(DataPath);
    }

    public void Dispose()
    {
        _lifetime.EnterWriteLock();
        try
        {
            if (!_retired && !_broken)
            {
                _retired = true;
                CloseFiles();
            }
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
        _lifetime.Dispose();
    }

    public override string ToString() => $"EpochFile({DataPath})";

    private void CloseFiles()
    {
        try
        {
            _database.Dispose();
        }
        finally
        {
            _data.Dispose();
            _log.Dispose();
        }
    }

    private static void DisposeQuietly(IDisposable? disposable)
    {
        try
        {
            disposable?.Dispose();
        }
        catch (IOException)
        {
        }
        catch (LiteException)
        {
        }
    }
}
