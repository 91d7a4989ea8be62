using System.Globalization;
using System.Text;
using LiteDB;
using LiteDB.Engine;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.DirectoryService.Storage.LiteDb;

/// <summary>
/// The embedded store: one LiteDB database in <c>&lt;DataDirectory&gt;/directory/</c> (directory 0700, files 0600).
/// </summary>
/// <remarks>
/// <para>Collections:</para>
/// <code>
/// entries   _id "holder|rid" → holder, rid, seq, kind, token, exp, version, numbers [keys], buckets [ints] | null (every bucket)
/// numbers   _id "L:prefix"   → keys: entry ids filed under it (EntryIndex)
/// buckets   _id bucket       → keys: entry ids (bucket −1: entries in every bucket)
/// log       _id version      → key, token: every accepted publication and revocation, oldest trimmed past the retention
/// meta      _id "state"      → version, oldest retained version, the bucket bits and range limit the index was built with
/// </code>
/// <para>Writes run one at a time: the seq and ownership checks, the entry, both indexes, the log and the version
/// change in one transaction, which is committed and then checkpointed into the data file through
/// <see cref="SyncedFileStream"/> (so it is on disk, not only in the log queue or the OS cache) before the
/// publication is acknowledged. A crash before the commit leaves the previous state; after it, the new one.</para>
/// </remarks>
internal sealed class LiteDbKeyRecordStore : IKeyRecordStore
{
    public const string DirectoryName = "directory";
    private const string DataFileName = "directory.db";
    private const string LogFileName = "directory-log.db";
    private const int AllBuckets = -1;

    private readonly SyncedFileStream _data;
    private readonly SyncedFileStream _logStream;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _entries;
    private readonly ILiteCollection<BsonDocument> _numbers;
    private readonly ILiteCollection<BsonDocument> _buckets;
    private readonly ILiteCollection<BsonDocument> _log;
    private readonly ILiteCollection<BsonDocument> _meta;
    private readonly Lock _write = new();
    private readonly int _bucketBits;
    private readonly int _rangeLimit;
    private readonly int _retention;
    private int _disposed;

    private LiteDbKeyRecordStore(string directory, SyncedFileStream data, SyncedFileStream log, LiteDatabase db, int bucketBits, int rangeLimit, int retention)
    {
        DirectoryPath = directory;
        _data = data;
        _logStream = log;
        _db = db;
        _entries = db.GetCollection("entries");
        _numbers = db.GetCollection("numbers");
        _buckets = db.GetCollection("buckets");
        _log = db.GetCollection("log");
        _meta = db.GetCollection("meta");
        _bucketBits = bucketBits;
        _rangeLimit = rangeLimit;
        _retention = retention;
    }

    /// <summary>The directory holding the store's files.</summary>
    public string DirectoryPath { get; }

    /// <summary>Opens (or creates) the store under <paramref name="dataDirectory"/>; rebuilds the bucket index when its parameters changed.</summary>
    /// <exception cref="IOException">The files cannot be opened (another process holds them, permissions).</exception>
    public static LiteDbKeyRecordStore Open(string dataDirectory, int bucketBits, int rangeLimit, int retention)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var directory = Path.Combine(Path.GetFullPath(dataDirectory), DirectoryName);
        CreateOwnerOnlyDirectory(Path.GetFullPath(dataDirectory));
        CreateOwnerOnlyDirectory(directory);
        var data = SyncedFileStream.OpenOrCreate(Path.Combine(directory, DataFileName));
        SyncedFileStream? log = null;
        LiteDatabase? db = null;
        try
        {
            log = SyncedFileStream.OpenOrCreate(Path.Combine(directory, LogFileName));
            var settings = new EngineSettings
            {
                DataStream = data,
                LogStream = log,
                Collation = new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal),
                AutoRebuild = false,
            };
            db = new LiteDatabase(new LiteEngine(settings), mapper: null, disposeOnClose: true);
            var store = new LiteDbKeyRecordStore(directory, data, log, db, bucketBits, rangeLimit, retention);
            store.Initialize();
            return store;
        }
        catch
        {
            db?.Dispose();
            log?.Dispose();
            data.Dispose();
            throw;
        }
    }

    public Task<PublishResult> PublishAsync(KeyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // Computed outside the lock: a large range's buckets take a while and need no state.
        var numberKeys = record.Kind == KeyRecordKind.Record ? EntryIndex.NumberKeys(record) : [];
        var buckets = record.Kind == KeyRecordKind.Record ? EntryIndex.Buckets(record, _bucketBits, _rangeLimit) : [];
        lock (_write)
        {
            return Task.FromResult(Publish(record, numberKeys, buckets));
        }
    }

    public Task<IReadOnlyList<StoredEntry>> FindByNumberAsync(TelephoneNumber number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(number);
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var lookup in EntryIndex.LookupKeys(number))
        {
            AddKeys(_numbers.FindById(lookup), keys);
        }

        return Task.FromResult<IReadOnlyList<StoredEntry>>(Records(keys));
    }

    public Task<IReadOnlyList<StoredEntry>> FindByBucketAsync(uint bucket, CancellationToken cancellationToken)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        AddKeys(_buckets.FindById((int)bucket), keys);
        AddKeys(_buckets.FindById(AllBuckets), keys);
        return Task.FromResult<IReadOnlyList<StoredEntry>>(Records(keys));
    }

    public Task<StoreSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        lock (_write)
        {
            var entries = _entries.Query().OrderBy("_id").ToEnumerable().Select(ToEntry).ToList();
            return Task.FromResult(new StoreSnapshot(State()["version"].AsInt64, entries));
        }
    }

    public Task<ChangePage?> ChangesAsync(long since, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var state = State();
        var latest = state["version"].AsInt64;
        if (since > latest || since < state["oldest"].AsInt64 - 1)
        {
            return Task.FromResult<ChangePage?>(null);
        }

        var changes = _log.Query().Where(Query.GT("_id", since)).OrderBy("_id").Limit(max).ToEnumerable()
            .Select(d => new ChangeEntry(d["_id"].AsInt64, d["token"].AsString))
            .ToList();

        // A trim between the two reads could have removed changes after since: re-check the oldest retained.
        if (since < State()["oldest"].AsInt64 - 1)
        {
            return Task.FromResult<ChangePage?>(null);
        }

        return Task.FromResult<ChangePage?>(new ChangePage(changes, Math.Max(latest, changes.Count > 0 ? changes[^1].Version : latest)));
    }

    public Task<StoreStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var state = State();
        return Task.FromResult(new StoreStatus(state["version"].AsInt64, state["oldest"].AsInt64));
    }

    /// <summary>
    /// Every document of every collection, in a fixed order, as one text: two exports are equal exactly when the
    /// stored state is (tests compare it before and after a refused publication).
    /// </summary>
    internal string ExportContents()
    {
        lock (_write)
        {
            var sb = new StringBuilder();
            foreach (var (name, collection) in new[] { ("entries", _entries), ("numbers", _numbers), ("buckets", _buckets), ("log", _log), ("meta", _meta) })
            {
                sb.Append("# ").Append(name).Append('\n');
                foreach (var document in collection.Query().OrderBy("_id").ToEnumerable())
                {
                    sb.Append(JsonSerializer.Serialize(document)).Append('\n');
                }
            }

            return sb.ToString();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_write)
        {
            try
            {
                _db.Dispose();
            }
            finally
            {
                _logStream.Dispose();
                _data.Dispose();
            }
        }
    }

    private PublishResult Publish(KeyRecord record, SortedSet<string> numberKeys, SortedSet<uint>? buckets)
    {
        var key = record.EntryKey;
        var existing = _entries.FindById(key) is { } found ? ToEntry(found) : null;
        if (existing is not null)
        {
            if (record.Seq < existing.Seq || (record.Seq == existing.Seq && existing.IsRevocation && record.Kind == KeyRecordKind.Record))
            {
                return new PublishResult(PublishOutcome.StaleSeq, State()["version"].AsInt64, existing);
            }

            if (record.Seq == existing.Seq)
            {
                return string.Equals(record.Token, existing.Token, StringComparison.Ordinal)
                    ? new PublishResult(PublishOutcome.Unchanged, existing.Version, existing)
                    : new PublishResult(PublishOutcome.SeqConflict, State()["version"].AsInt64, existing);
            }
        }
        else if (_entries.FindOne(Query.EQ("rid", record.Rid)) is { } owner)
        {
            // A rid belongs to the holder that first published it; its entry is never removed, so neither is the claim.
            return new PublishResult(PublishOutcome.HolderMismatch, State()["version"].AsInt64, ToEntry(owner));
        }

        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("a LiteDB transaction is already open on this thread");
        }

        long version;
        try
        {
            var state = State();
            version = state["version"].AsInt64 + 1;
            if (_entries.FindById(key) is { } old)
            {
                RemoveFromIndexes(old);
            }

            var document = new BsonDocument
            {
                ["_id"] = key,
                ["holder"] = record.Holder,
                ["rid"] = record.Rid,
                ["seq"] = record.Seq,
                ["kind"] = record.Kind == KeyRecordKind.Record ? "record" : "revocation",
                ["token"] = record.Token,
                ["exp"] = record.Expires?.ToUnixTimeSeconds() ?? 0L,
                ["version"] = version,
                ["numbers"] = new BsonArray(numberKeys.Select(k => new BsonValue(k))),
                ["buckets"] = buckets is null ? BsonValue.Null : new BsonArray(buckets.Select(b => new BsonValue((int)b))),
            };
            _entries.Upsert(document);
            AddToIndexes(document);

            _log.Insert(new BsonDocument { ["_id"] = version, ["key"] = key, ["token"] = record.Token });
            var oldest = state["oldest"].AsInt64;
            if (version - oldest + 1 > _retention)
            {
                oldest = version - _retention + 1;
                _log.DeleteMany(Query.LT("_id", oldest));
            }

            state["version"] = version;
            state["oldest"] = oldest;
            _meta.Upsert(state);
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }

        // The commit is in LiteDB's log queue; the checkpoint writes it into the data file and syncs it before we answer.
        _db.Checkpoint();
        return new PublishResult(PublishOutcome.Stored, version, null);
    }

    private void Initialize()
    {
        _entries.EnsureIndex("rid");
        if (_meta.FindById("state") is { } state
            && state["bucketBits"].AsInt32 == _bucketBits
            && state["rangeLimit"].AsInt32 == _rangeLimit)
        {
            return;
        }

        // First open, or the bucket parameters changed: (re)build the bucket index from the current entries.
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("a LiteDB transaction is already open on this thread");
        }

        try
        {
            var meta = _meta.FindById("state") ?? new BsonDocument { ["_id"] = "state", ["version"] = 0L, ["oldest"] = 1L };
            _buckets.DeleteAll();
            foreach (var document in _entries.FindAll().ToList())
            {
                if (document["kind"].AsString == "record")
                {
                    var buckets = EntryIndex.Buckets(KeyRecord.Parse(document["token"].AsString), _bucketBits, _rangeLimit);
                    document["buckets"] = buckets is null ? BsonValue.Null : new BsonArray(buckets.Select(b => new BsonValue((int)b)));
                    _entries.Update(document);
                    AddToBucketIndex(document);
                }
            }

            meta["bucketBits"] = _bucketBits;
            meta["rangeLimit"] = _rangeLimit;
            _meta.Upsert(meta);
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }

        _db.Checkpoint();
    }

    private BsonDocument State() => _meta.FindById("state");

    private void AddToIndexes(BsonDocument entry)
    {
        if (entry["kind"].AsString != "record")
        {
            return;
        }

        foreach (var number in entry["numbers"].AsArray)
        {
            AddTo(_numbers, number, entry["_id"]);
        }

        AddToBucketIndex(entry);
    }

    private void AddToBucketIndex(BsonDocument entry)
    {
        if (entry["buckets"].IsNull)
        {
            AddTo(_buckets, AllBuckets, entry["_id"]);
            return;
        }

        foreach (var bucket in entry["buckets"].AsArray)
        {
            AddTo(_buckets, bucket, entry["_id"]);
        }
    }

    private void RemoveFromIndexes(BsonDocument entry)
    {
        if (entry["kind"].AsString != "record")
        {
            return;
        }

        foreach (var number in entry["numbers"].AsArray)
        {
            RemoveFrom(_numbers, number, entry["_id"]);
        }

        if (entry["buckets"].IsNull)
        {
            RemoveFrom(_buckets, AllBuckets, entry["_id"]);
            return;
        }

        foreach (var bucket in entry["buckets"].AsArray)
        {
            RemoveFrom(_buckets, bucket, entry["_id"]);
        }
    }

    private static void AddTo(ILiteCollection<BsonDocument> index, BsonValue id, BsonValue key)
    {
        var document = index.FindById(id) ?? new BsonDocument { ["_id"] = id, ["keys"] = new BsonArray() };
        var keys = document["keys"].AsArray;
        if (!keys.Contains(key))
        {
            keys.Add(key);
        }

        index.Upsert(document);
    }

    private static void RemoveFrom(ILiteCollection<BsonDocument> index, BsonValue id, BsonValue key)
    {
        if (index.FindById(id) is not { } document)
        {
            return;
        }

        var keys = document["keys"].AsArray;
        keys.Remove(key);
        if (keys.Count == 0)
        {
            index.Delete(id);
        }
        else
        {
            index.Update(document);
        }
    }

    private static void AddKeys(BsonDocument? index, SortedSet<string> keys)
    {
        if (index is null)
        {
            return;
        }

        foreach (var key in index["keys"].AsArray)
        {
            keys.Add(key.AsString);
        }
    }

    private List<StoredEntry> Records(SortedSet<string> keys)
    {
        var entries = new List<StoredEntry>(keys.Count);
        foreach (var key in keys)
        {
            if (_entries.FindById(key) is { } document && document["kind"].AsString == "record")
            {
                entries.Add(ToEntry(document));
            }
        }

        return entries;
    }

    private static StoredEntry ToEntry(BsonDocument d) => new(
        d["holder"].AsString,
        d["rid"].AsString,
        d["seq"].AsInt64,
        d["kind"].AsString == "revocation",
        d["token"].AsString,
        d["exp"].AsInt64,
        d["version"].AsInt64);

    private static void CreateOwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
            return;
        }

        if (!System.IO.Directory.Exists(path))
        {
            System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
