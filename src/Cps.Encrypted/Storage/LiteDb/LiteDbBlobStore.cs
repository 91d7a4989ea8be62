using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// The embedded store: LiteDB files under a data directory, one per epoch, blobs sealed at rest under period keys
/// that are destroyed when their period ends, every write through one group-committing writer loop.
/// </summary>
/// <remarks>
/// <para>Layout under <see cref="LiteDbStoreOptions.DataDirectory"/> (directories 0700, files 0600):</para>
/// <code>
/// cps/lock                   held exclusively while open: a second process fails instead of sharing the files
/// cps/cover.key              the cover key (StoreKeyFile)
/// cps/index-salt.key         the index salt (StoreKeyFile)
/// cps/epoch-&lt;e&gt;.db          the buckets of epoch e (BucketDocument), deleted whole after the epoch's retention
/// cps/epoch-&lt;e&gt;-log.db      its LiteDB write-ahead log
/// cps/keys/period-&lt;p&gt;.key   the at-rest key of period p, destroyed once p is over
/// </code>
/// <para>Writes: <see cref="TryAppendAsync"/> queues a request; the writer loop takes up to
/// <see cref="LiteDbStoreOptions.MaxBatchSize"/> queued requests, applies those of one epoch in one LiteDB
/// transaction (version checks in arrival order, so a second append to a bucket sees the first), commits,
/// syncs the log, and only then completes the requests. A failed commit fails every request of its
/// transaction. There is no <c>await</c> between <c>BeginTrans</c> and <c>Commit</c>.</para>
/// <para>Reads look documents up by <c>_id</c> only, open the sealed blobs still live, and never return a blob
/// at or after its end. A blob that does not authenticate is dropped and counted, never returned.</para>
/// </remarks>
internal sealed class LiteDbBlobStore : IBlobStore
{
    private const string StoreDirectoryName = "cps";
    private const string KeysDirectoryName = "keys";
    private const string LockFileName = "lock";
    private const string CoverKeyFileName = "cover.key";
    private const string IndexSaltFileName = "index-salt.key";

    // Bounds the queue (callers wait when it is full) and the reads running at once: LiteDB allows at most 100
    // open transactions, and each synchronous lookup holds one.
    private const int QueueCapacity = 10_000;
    private const int MaxConcurrentReads = 32;

    // After a failed write (EpochFile.Abandon): how often the files are opened again, and how many abandoned LiteDB
    // instances a process keeps in memory before it stops trying (each holds its page cache).
    private const long ReopenIntervalMs = 1000;
    private const int MaxAbandoned = 64;

    private readonly TimeProvider _time;
    private readonly long _epochMs;
    private readonly long _retentionMs;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _batchWait;
    private readonly IStoreFileFaults? _faults;
    private readonly string _directory;
    private readonly FileStream _directoryLock;
    private readonly StoreSecret _coverKey;
    private readonly StoreSecret _indexSalt;
    private readonly PeriodKeyRing _keys;
    private readonly ConcurrentDictionary<ulong, EpochFile> _files;
    private readonly ExpiryQueue _expiry;
    private readonly Channel<WriteRequest> _requests;
    private readonly SemaphoreSlim _readGate = new(MaxConcurrentReads, MaxConcurrentReads);
    private readonly Task _writer;
    private readonly ITimer _sweepTimer;
    private int _sweepQueued;
    private int _disposed;
    private long _appendTransactions;
    private long _corruptBlobs;
    private long _reopens;
    private long _lastReopenUnixMs = long.MinValue / 2;

    private LiteDbBlobStore(
        LiteDbStoreOptions options,
        TimeProvider time,
        string directory,
        FileStream directoryLock,
        StoreSecret coverKey,
        StoreSecret indexSalt,
        PeriodKeyRing keys,
        ConcurrentDictionary<ulong, EpochFile> files,
        ExpiryQueue expiry)
    {
        _time = time;
        _epochMs = (long)options.EpochLength.TotalMilliseconds;
        _retentionMs = (long)options.BucketRetentionAfterEpoch.TotalMilliseconds;
        _maxBatchSize = options.MaxBatchSize;
        _batchWait = options.BatchWait;
        _faults = options.Faults;
        _directory = directory;
        _directoryLock = directoryLock;
        _coverKey = coverKey;
        _indexSalt = indexSalt;
        _keys = keys;
        _files = files;
        _expiry = expiry;
        _requests = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(RunWriterAsync);
        _sweepTimer = time.CreateTimer(_ => QueueSweep(), null, options.SweepInterval, options.SweepInterval);
    }

    /// <summary>
    /// Runs inside each append or probe transaction just before it commits (tests: a throwing hook fails the
    /// commit, a blocking one holds the writer with the transaction open).
    /// </summary>
    internal Action? BeforeCommit { get; set; }

    /// <summary>How many LiteDB transactions carried appends (with group commit, fewer than the appends).</summary>
    internal long AppendTransactionCount => Interlocked.Read(ref _appendTransactions);

    /// <summary>How many stored blobs failed authentication when read and were dropped.</summary>
    internal long CorruptBlobCount => Interlocked.Read(ref _corruptBlobs);

    /// <summary>How many times an epoch file was abandoned after a failed write and opened again.</summary>
    internal long ReopenCount => Interlocked.Read(ref _reopens);

    /// <summary>The directory holding the store's files (<c>&lt;DataDirectory&gt;/cps</c>).</summary>
    internal string DirectoryPath => _directory;

    /// <summary>
    /// Opens the store in <see cref="LiteDbStoreOptions.DataDirectory"/>, creating it when missing. Expired epoch
    /// files and keys are deleted; the others are opened and scanned once to rebuild the expiry queue.
    /// </summary>
    /// <exception cref="CorruptStoreFileException">A file of the store is damaged; the message names it.</exception>
    /// <exception cref="IOException">The directory is in use by another process, or cannot be written.</exception>
    public static LiteDbBlobStore Open(LiteDbStoreOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();

        var root = Path.GetFullPath(options.DataDirectory);
        if (!Directory.Exists(root))
        {
            DurableFiles.CreateOwnerOnlyDirectory(root);
        }
        var directory = Path.Combine(root, StoreDirectoryName);
        DurableFiles.CreateOwnerOnlyDirectory(directory);
        var keysDirectory = Path.Combine(directory, KeysDirectoryName);
        DurableFiles.CreateOwnerOnlyDirectory(keysDirectory);

        var opened = new Stack<IDisposable>();
        try
        {
            var directoryLock = LockDirectory(directory);
            opened.Push(directoryLock);
            var coverKey = StoreSecret.LoadOrCreate(Path.Combine(directory, CoverKeyFileName), StoreKeyKind.CoverKey);
            opened.Push(coverKey);
            var indexSalt = StoreSecret.LoadOrCreate(Path.Combine(directory, IndexSaltFileName), StoreKeyKind.IndexSalt);
            opened.Push(indexSalt);

            var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var periodMs = (long)options.KeyPeriod.TotalMilliseconds;
            var keys = PeriodKeyRing.Open(keysDirectory, periodMs, now);
            opened.Push(keys);
            var retentionMs = (long)options.BucketRetentionAfterEpoch.TotalMilliseconds;
            keys.EnsureKeys(PeriodsAhead(keys, now, retentionMs));

            var epochMs = (long)options.EpochLength.TotalMilliseconds;
            var files = new ConcurrentDictionary<ulong, EpochFile>();
            var expiry = new ExpiryQueue();
            foreach (var path in Directory.EnumerateFiles(directory))
            {
                var name = Path.GetFileName(path);
                if (name.EndsWith(DurableFiles.TemporarySuffix, StringComparison.Ordinal))
                {
                    // A secret being written when a crash came: never renamed, never handed out.
                    DurableFiles.Destroy(path);
                    continue;
                }
                if (!EpochFile.TryParseFileName(name, out var epoch, out var isLog))
                {
                    continue;
                }
                var deletion = DeletionTime(epoch, epochMs, retentionMs);
                if (deletion <= now)
                {
                    DurableFiles.Delete(path);
                    continue;
                }
                if (isLog)
                {
                    // Opened with its database; a log whose database is gone is checked by OpenOrCreate.
                    if (!File.Exists(Path.Combine(directory, EpochFile.DataFileName(epoch))))
                    {
                        if (new FileInfo(path).Length > 0)
                        {
                            throw new CorruptStoreFileException(path, "the log holds transactions but its database file is missing");
                        }
                        DurableFiles.Delete(path);
                    }
                    continue;
                }
                var file = EpochFile.OpenOrCreate(directory, epoch, deletion, options.Faults);
                opened.Push(file);
                files[epoch] = file;
                file.Scan(document =>
                {
                    if (document.Key.Epoch != epoch)
                    {
                        throw new CorruptStoreFileException(file.DataPath, $"bucket document \"{document.Id}\" belongs to another epoch");
                    }
                    Schedule(expiry, document, deletion);
                });
            }

            var store = new LiteDbBlobStore(options, timeProvider, directory, directoryLock, coverKey, indexSalt, keys, files, expiry);
            opened.Clear();
            return store;
        }
        finally
        {
            while (opened.TryPop(out var disposable))
            {
                disposable.Dispose();
            }
        }
    }

    public ValueTask<ReadOnlyMemory<byte>> GetCoverKeyAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ValueTask.FromResult(_coverKey.Value);
    }

    public ValueTask<ReadOnlyMemory<byte>> GetIndexSaltAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ValueTask.FromResult(_indexSalt.Value);
    }

    public async ValueTask<BucketState> ReadAsync(BucketKey key, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _readGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Read(key);
        }
        finally
        {
            _readGate.Release();
        }
    }

    public async ValueTask<bool> TryAppendAsync(BucketKey key, long expectedVersion, IReadOnlyList<StoredBlob> blobs, long bucketExpiresUnixMs, CancellationToken cancellationToken)
    {
        ValidateAppend(key, expectedVersion, blobs, bucketExpiresUnixMs);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var request = new AppendRequest(key, expectedVersion, blobs, bucketExpiresUnixMs, cancellationToken);
        await EnqueueAsync(request, cancellationToken).ConfigureAwait(false);
        return await request.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<(bool Ready, string? Reason)> CheckReadyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return (false, "the store is closed");
        }
        if (_writer.IsCompleted)
        {
            return (false, "the writer loop has stopped");
        }
        var now = Now();
        if (!_keys.Contains(_keys.PeriodOf(now + 1)) || !_keys.Contains(_keys.PeriodOf(now + 1) + 1))
        {
            return (false, "the at-rest keys of the current and next periods are not in place");
        }
        var probe = new ProbeRequest();
        try
        {
            await EnqueueAsync(probe, cancellationToken).ConfigureAwait(false);
            await probe.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            return (true, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ObjectDisposedException)
        {
            return (false, "the store is closed");
        }
        catch (Exception exception)
        {
            var cause = exception is StoreUnavailableException { InnerException: { } inner } ? inner : exception;
            return (false, $"the current epoch's file does not take writes ({cause.GetType().Name})");
        }
    }

    /// <summary>Runs a sweep now and waits for it (tests, after advancing a fake clock).</summary>
    internal async Task SweepAsync()
    {
        var sweep = new SweepRequest();
        await EnqueueAsync(sweep, CancellationToken.None).ConfigureAwait(false);
        await sweep.Completion.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _sweepTimer.DisposeAsync().ConfigureAwait(false);
        _requests.Writer.TryComplete();
        // The loop applies what was queued before the close, so no accepted request is left hanging.
        await _writer.ConfigureAwait(false);
        for (var i = 0; i < MaxConcurrentReads; i++)
        {
            await _readGate.WaitAsync().ConfigureAwait(false);
        }
        foreach (var file in _files.Values)
        {
            file.Dispose();
        }
        _files.Clear();
        _keys.Dispose();
        _coverKey.Dispose();
        _indexSalt.Dispose();
        _directoryLock.Dispose();
        _readGate.Dispose();
    }

    public override string ToString() => $"LiteDbBlobStore({_directory})";

    private BucketState Read(BucketKey key)
    {
        var now = Now();
        if (!_files.TryGetValue(key.Epoch, out var file) || file.DeletionUnixMs <= now
            || !file.TryFind(key.ToString(), out var document) || document.ExpiresUnixMs <= now)
        {
            return BucketState.Empty;
        }
        var events = new SlotEvent[document.Events.Count];
        document.Events.CopyTo(events);
        var live = new List<StoredBlob>(document.Blobs.Count);
        foreach (var blob in document.Blobs)
        {
            // Never at or after its end, whether or not the sweeper has been by.
            if (blob.EndUnixMs <= now)
            {
                continue;
            }
            var place = new BlobPlace(key, blob.Slot, blob.StartUnixMs, blob.EndUnixMs, blob.Period);
            if (_keys.TryOpen(place, blob.Sealed, out var content))
            {
                live.Add(new StoredBlob(blob.Slot, blob.StartUnixMs, blob.EndUnixMs, content));
            }
            else if (_keys.Contains(blob.Period) || !_keys.IsOver(blob.Period, Now()))
            {
                // The key is there and the bytes do not authenticate, or the key of a live period is gone: the
                // blob is damaged. (A key destroyed since `now` was read only means the blob ended meanwhile.)
                Interlocked.Increment(ref _corruptBlobs);
            }
        }
        return new BucketState(document.Version, events, live);
    }

    private void ValidateAppend(BucketKey key, long expectedVersion, IReadOnlyList<StoredBlob> blobs, long bucketExpiresUnixMs)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(key.Size, nameof(key));
        if (blobs.Count == 0)
        {
            throw new ArgumentException("An append needs at least one blob.", nameof(blobs));
        }
        var deletion = DeletionTime(key.Epoch, _epochMs, _retentionMs);
        if (bucketExpiresUnixMs > deletion)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketExpiresUnixMs), bucketExpiresUnixMs,
                $"A bucket of epoch {key.Epoch} expires at the latest {_retentionMs} ms after the epoch, at {deletion}.");
        }
        foreach (var blob in blobs)
        {
            if (blob is null)
            {
                throw new ArgumentException("A blob is null.", nameof(blobs));
            }
            if (blob.Slot < 0 || blob.StartUnixMs >= blob.EndUnixMs || blob.EndUnixMs > bucketExpiresUnixMs || blob.Content.IsEmpty)
            {
                throw new ArgumentException(
                    $"Blob in slot {blob.Slot} [{blob.StartUnixMs}, {blob.EndUnixMs}) needs a slot ≥ 0, start < end ≤ the bucket's expiry ({bucketExpiresUnixMs}) and content.",
                    nameof(blobs));
            }
        }
    }

    private async ValueTask EnqueueAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _requests.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(ToString());
        }
    }

    private void QueueSweep()
    {
        if (Interlocked.Exchange(ref _sweepQueued, 1) == 0 && !_requests.Writer.TryWrite(new SweepRequest()))
        {
            Volatile.Write(ref _sweepQueued, 0);
        }
    }

    private async Task RunWriterAsync()
    {
        var reader = _requests.Reader;
        var batch = new List<WriteRequest>(_maxBatchSize);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            Take(reader, batch);
            if (batch.Count < _maxBatchSize && _batchWait > TimeSpan.Zero)
            {
                await Task.Delay(_batchWait, _time).ConfigureAwait(false);
                Take(reader, batch);
            }
            try
            {
                Process(batch);
            }
            catch (Exception exception)
            {
                // Process completes every request itself; this only guards the loop against a bug.
                foreach (var request in batch)
                {
                    request.Fail(exception);
                }
            }
            batch.Clear();
        }
    }

    private void Take(ChannelReader<WriteRequest> reader, List<WriteRequest> batch)
    {
        while (batch.Count < _maxBatchSize && reader.TryRead(out var request))
        {
            batch.Add(request);
        }
    }

    /// <summary>Applies one batch: a transaction per epoch touched (in arrival order), then any sweep.</summary>
    private void Process(List<WriteRequest> batch)
    {
        var now = Now();
        var groups = new List<(ulong Epoch, List<WriteRequest> Requests)>();
        var sweeps = new List<SweepRequest>();
        foreach (var request in batch)
        {
            switch (request)
            {
                case AppendRequest append when append.CancellationToken.IsCancellationRequested:
                    append.Cancel(append.CancellationToken);
                    break;
                case AppendRequest append when append.BucketExpiresUnixMs <= now:
                    append.Fail(new ArgumentOutOfRangeException("bucketExpiresUnixMs", append.BucketExpiresUnixMs, "The bucket expired before the append could be applied."));
                    break;
                case AppendRequest append:
                    GroupOf(groups, append.Key.Epoch).Add(append);
                    break;
                case ProbeRequest probe:
                    GroupOf(groups, (ulong)(now / _epochMs)).Add(probe);
                    break;
                case SweepRequest sweep:
                    sweeps.Add(sweep);
                    break;
            }
        }
        foreach (var (epoch, requests) in groups)
        {
            Apply(epoch, requests, now);
        }
        if (sweeps.Count > 0)
        {
            Volatile.Write(ref _sweepQueued, 0);
            try
            {
                Sweep(Now());
                sweeps.ForEach(sweep => sweep.Succeed(true));
            }
            catch (Exception exception)
            {
                sweeps.ForEach(sweep => sweep.Fail(exception));
            }
        }
    }

    private static List<WriteRequest> GroupOf(List<(ulong Epoch, List<WriteRequest> Requests)> groups, ulong epoch)
    {
        foreach (var group in groups)
        {
            if (group.Epoch == epoch)
            {
                return group.Requests;
            }
        }
        var requests = new List<WriteRequest>();
        groups.Add((epoch, requests));
        return requests;
    }

    /// <summary>
    /// One transaction: every request of <paramref name="requests"/> (one epoch) in order, committed and synced,
    /// then every request completed; or, on any failure, rolled back and every request failed.
    /// </summary>
    private void Apply(ulong epoch, List<WriteRequest> requests, long now)
    {
        EpochFile file;
        try
        {
            file = GetOrCreateFile(epoch, now);
            // Keys become durable before anything sealed under them can be acknowledged.
            _keys.EnsureKeys(PeriodsNeeded(requests, now));
        }
        catch (Exception exception)
        {
            var failure = Unavailable(exception);
            requests.ForEach(request => request.Fail(failure));
            return;
        }

        var results = new bool[requests.Count];
        var touched = new Dictionary<string, BucketDocument>(StringComparer.Ordinal);
        var newlyScheduled = new List<(BucketKey Key, long Due)>();
        var hasAppend = false;
        try
        {
            file.BeginTransaction();
            try
            {
                for (var i = 0; i < requests.Count; i++)
                {
                    if (requests[i] is AppendRequest append)
                    {
                        hasAppend = true;
                        results[i] = ApplyAppend(file, append, touched, newlyScheduled, now);
                    }
                    else
                    {
                        file.WriteProbe(now);
                        results[i] = true;
                    }
                }
                foreach (var document in touched.Values)
                {
                    file.Upsert(document);
                }
                BeforeCommit?.Invoke();
                file.Commit();
            }
            catch
            {
                TryRollback(file);
                throw;
            }
        }
        catch (Exception exception)
        {
            // Nothing of the transaction is acknowledged; whatever LiteDB and the kernel now hold of this file is
            // not trusted for another write (EpochFile remarks): the files are opened again, with LiteDB's recovery.
            // Reopened before the requests are failed, so that a caller who sees the failure and reads at once finds
            // the new instance, not the abandoned one.
            Reopen(file);
            var failure = Unavailable(exception);
            requests.ForEach(request => request.Fail(failure));
            return;
        }

        if (hasAppend)
        {
            Interlocked.Increment(ref _appendTransactions);
        }
        foreach (var (key, due) in newlyScheduled)
        {
            _expiry.Add(key, due);
        }
        for (var i = 0; i < requests.Count; i++)
        {
            requests[i].Succeed(results[i]);
        }
    }

    private bool ApplyAppend(EpochFile file, AppendRequest append, Dictionary<string, BucketDocument> touched, List<(BucketKey, long)> scheduled, long now)
    {
        var id = append.Key.ToString();
        if (!touched.TryGetValue(id, out var document))
        {
            document = file.FindForWrite(id);
            // Expired but not swept yet: readers already see it as empty, so a writer must too.
            if (document is not null && document.ExpiresUnixMs <= now)
            {
                document = null;
            }
        }
        if ((document?.Version ?? 0) != append.ExpectedVersion)
        {
            return false;
        }
        if (document is null)
        {
            document = new BucketDocument(append.Key, 0, append.BucketExpiresUnixMs, [], []);
            if (append.BucketExpiresUnixMs < file.DeletionUnixMs)
            {
                scheduled.Add((append.Key, append.BucketExpiresUnixMs));
            }
        }
        document.Version++;
        document.ExpiresUnixMs = Math.Max(document.ExpiresUnixMs, append.BucketExpiresUnixMs);
        // The document is rewritten anyway: drop sealed bytes that have expired since the last sweep.
        document.Blobs.RemoveAll(blob => blob.EndUnixMs <= now);
        foreach (var blob in append.Blobs)
        {
            document.Events.Add(blob.Event);
            // A blob already over when applied is kept as an event only (its slot was occupied): no bytes
            // that nobody may read again are written.
            if (blob.EndUnixMs <= now)
            {
                continue;
            }
            var place = new BlobPlace(append.Key, blob.Slot, blob.StartUnixMs, blob.EndUnixMs, _keys.PeriodOf(blob.EndUnixMs));
            if (!_keys.TrySeal(place, blob.Content.Span, out var sealedBlob))
            {
                throw new InvalidOperationException("The at-rest key of a blob's period was not created before its transaction.");
            }
            document.Blobs.Add(new SealedBlobEntry(blob.Slot, blob.StartUnixMs, blob.EndUnixMs, place.Period, sealedBlob));
            scheduled.Add((append.Key, blob.EndUnixMs));
        }
        touched[id] = document;
        return true;
    }

    private HashSet<long> PeriodsNeeded(List<WriteRequest> requests, long now)
    {
        var periods = new HashSet<long>();
        foreach (var request in requests)
        {
            if (request is AppendRequest append)
            {
                foreach (var blob in append.Blobs)
                {
                    if (blob.EndUnixMs > now)
                    {
                        periods.Add(_keys.PeriodOf(blob.EndUnixMs));
                    }
                }
            }
        }
        return periods;
    }

    private EpochFile GetOrCreateFile(ulong epoch, long now)
    {
        if (_files.TryGetValue(epoch, out var file) && !file.IsBroken)
        {
            return file;
        }
        if (file is not null)
        {
            // A device that keeps failing must not make every write open (and abandon, and keep in memory) another
            // LiteDB instance: at most one reopening a second, and none after MaxAbandoned in this process.
            if (now - _lastReopenUnixMs < ReopenIntervalMs)
            {
                throw new StoreUnavailableException("The epoch's file failed a write a moment ago; it is reopened shortly.");
            }
            if (EpochFile.AbandonedCount >= MaxAbandoned)
            {
                throw new StoreUnavailableException($"{MaxAbandoned} writes have failed since the process started; restart it once the device is sound.");
            }
            _lastReopenUnixMs = now;
        }
        var deletion = DeletionTime(epoch, _epochMs, _retentionMs);
        if (deletion <= now)
        {
            throw new InvalidOperationException("The epoch's retention is over; its file is gone.");
        }
        // A broken instance stays in the map until this succeeds, so that readers meanwhile get "unavailable"
        // rather than an empty bucket.
        file = EpochFile.OpenOrCreate(_directory, epoch, deletion, _faults);
        _files[epoch] = file;
        return file;
    }

    /// <summary>
    /// Abandons <paramref name="file"/> after a failed write and opens its files again at once (LiteDB replays the
    /// committed part of its log); when that fails too (the disk is still full, say), the next write tries again.
    /// </summary>
    private void Reopen(EpochFile file)
    {
        file.Abandon();
        Interlocked.Increment(ref _reopens);
        try
        {
            GetOrCreateFile(file.Epoch, Now());
        }
#pragma warning disable CA1031 // Any failure leaves the broken instance in place; readers get "unavailable" and the next write retries.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    // Errors of the files or of LiteDB are the store's state, not a bug of the request: answered `unavailable`
    // (503, Retry-After), as a store that cannot be reached is.
    private static Exception Unavailable(Exception exception) => exception switch
    {
        StoreUnavailableException or ArgumentException or OperationCanceledException => exception,
        _ => new StoreUnavailableException("The store could not write.", exception),
    };

    /// <summary>
    /// Drops the sealed bytes of blobs that ended and the buckets that expired, deletes the files of epochs whose
    /// retention is over, destroys the keys of periods that are over and creates the keys of the coming periods.
    /// </summary>
    private void Sweep(long now)
    {
        List<Exception> failures = [];
        var due = new HashSet<BucketKey>();
        _expiry.TakeDue(now, due);
        foreach (var byEpoch in due.GroupBy(key => key.Epoch))
        {
            if (!_files.TryGetValue(byEpoch.Key, out var file) || file.DeletionUnixMs <= now)
            {
                continue;
            }
            try
            {
                file = GetOrCreateFile(byEpoch.Key, now); // reopens an instance abandoned since
                SweepBuckets(file, byEpoch, now);
            }
            catch (Exception exception)
            {
                // Try again at the next sweep.
                foreach (var key in byEpoch)
                {
                    _expiry.Add(key, now);
                }
                failures.Add(exception);
                if (!file.IsBroken)
                {
                    Reopen(file);
                }
            }
        }
        foreach (var file in _files.Values)
        {
            if (file.DeletionUnixMs <= now && _files.TryRemove(file.Epoch, out _))
            {
                try
                {
                    file.Retire();
                }
                catch (Exception exception)
                {
                    failures.Add(exception);
                }
            }
        }
        try
        {
            _keys.DestroyOver(now);
            _keys.EnsureKeys(PeriodsAhead(_keys, now, _retentionMs));
        }
        catch (Exception exception)
        {
            failures.Add(exception);
        }
        if (failures.Count > 0)
        {
            throw new AggregateException("The sweep did not complete; it is retried at the next one.", failures);
        }
    }

    private static void SweepBuckets(EpochFile file, IEnumerable<BucketKey> keys, long now)
    {
        var changed = false;
        file.BeginTransaction();
        try
        {
            foreach (var key in keys)
            {
                var document = file.FindForWrite(key.ToString());
                if (document is null)
                {
                    continue;
                }
                if (document.ExpiresUnixMs <= now)
                {
                    file.Delete(document.Id);
                    changed = true;
                }
                else if (document.Blobs.RemoveAll(blob => blob.EndUnixMs <= now) > 0)
                {
                    file.Upsert(document);
                    changed = true;
                }
            }
            if (changed)
            {
                file.Commit();
            }
            else
            {
                file.Rollback();
            }
        }
        catch
        {
            TryRollback(file);
            throw;
        }
    }

    /// <summary>
    /// The periods from now to the latest end a blob stored now can normally have (the retention), plus one, so
    /// that appends rarely wait for a key to be created.
    /// </summary>
    private static IEnumerable<long> PeriodsAhead(PeriodKeyRing keys, long now, long retentionMs)
    {
        var first = keys.PeriodOf(now + 1);
        var last = keys.PeriodOf(now + retentionMs + 1) + 1;
        for (var period = first; period <= last; period++)
        {
            yield return period;
        }
    }

    private static void Schedule(ExpiryQueue expiry, BucketDocument document, long fileDeletionUnixMs)
    {
        if (document.Blobs.Count > 0)
        {
            expiry.Add(document.Key, document.Blobs.Min(blob => blob.EndUnixMs));
        }
        if (document.ExpiresUnixMs < fileDeletionUnixMs)
        {
            expiry.Add(document.Key, document.ExpiresUnixMs);
        }
    }

    private static void TryRollback(EpochFile file)
    {
        try
        {
            file.Rollback();
        }
        catch (Exception)
        {
            // The transaction is already gone (LiteDB ends it when a commit fails).
        }
    }

    /// <summary>When every bucket of <paramref name="epoch"/> has expired: its end plus the retention.</summary>
    private static long DeletionTime(ulong epoch, long epochMs, long retentionMs)
    {
        var endMs = ((UInt128)epoch + 1) * (ulong)epochMs + (ulong)retentionMs;
        return endMs > long.MaxValue ? long.MaxValue : (long)endMs;
    }

    private static FileStream LockDirectory(string directory)
    {
        var path = Path.Combine(directory, LockFileName);
        try
        {
            return DurableFiles.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception)
        {
            throw new IOException($"The store directory \"{directory}\" is in use by another process.", exception);
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
