using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Stir.Encrypted.CpsService.Storage.Redis;

/// <summary>
/// The distributed store: a Redis Cluster or Valkey cluster (or a single server) shared by every CPS node, so that
/// a blob stored through one node is retrievable through any other at once and a node holds no state of its own.
/// </summary>
/// <remarks>
/// <para>A bucket lives in one hash slot (<see cref="RedisBucketKeys"/>). An append is one Lua script on that
/// slot's primary: it checks the version, appends the slot events, writes the blobs and sets their expiries,
/// atomically (scripts run alone on a node). Expiry is Redis's own: the meta key expires at the bucket's expiry
/// and each blob key at the blob's end, so bytes vanish from the servers' memory at their end without a sweeper.
/// Expiries are given relative to the store's <see cref="TimeProvider"/> (<c>PEXPIRE</c>/<c>PX</c>, not
/// <c>PEXPIREAT</c>), so that a server clock that differs from the nodes' does not shorten or lengthen a life;
/// reads also filter by the store's clock, so nothing is returned at or after its end either way.</para>
/// <para>At rest: the servers keep blobs in memory only (persistence must be off, checked at open unless
/// <see cref="RedisStoreOptions.VerifyServerSettings"/> is off). Blobs are not encrypted again here: the key would
/// have to live in the same cluster as the blobs (every node must read it), so it would protect against nothing
/// that reading the cluster does not already give; the blobs are HPKE ciphertexts for their recipient anyway.
/// Each blob carries a 16-byte SHA-256 check over its place and bytes, so that a damaged or misplaced value is
/// dropped and counted, never served.</para>
/// <para>Durability: an acknowledged append is in the memory of its slot's primary. Losing that primary loses its
/// buckets (with replicas, a failover keeps what was replicated); calls to them then come back unverified, as
/// when a CPS is down.</para>
/// </remarks>
internal sealed class RedisBlobStore : IBlobStore
{
    private const int CheckSize = 16;
    private const int SecretSize = 32;

    // KEYS[1] = meta, KEYS[2..] = the blob keys of version ARGV[1] + 1; ARGV: expectedVersion, now, bucket expiry,
    // event records, then per blob: value, end. Numbers are Unix ms (< 2^53, exact in Lua's doubles).
    private const string AppendScript = """
        local meta = KEYS[1]
        local expected = tonumber(ARGV[1])
        local now = tonumber(ARGV[2])
        local expires = tonumber(ARGV[3])
        local state = redis.call('HMGET', meta, 'v', 'x')
        local version = 0
        local x = tonumber(state[2])
        if x ~= nil and x > now then
          version = tonumber(state[1])
        elseif x ~= nil then
          redis.call('DEL', meta)
          x = nil
        end
        if version ~= expected then
          return 0
        end
        if x == nil or expires > x then
          x = expires
        end
        local events = redis.call('HGET', meta, 'e') or ''
        redis.call('HSET', meta, 'v', version + 1, 'x', x, 'e', events .. ARGV[4])
        redis.call('PEXPIRE', meta, x - now)
        for i = 2, #KEYS do
          local value = ARGV[3 + (i - 1) * 2]
          local ends = tonumber(ARGV[4 + (i - 1) * 2])
          if ends > now then
            redis.call('SET', KEYS[i], value, 'PX', ends - now)
          end
        end
        return 1
        """;

    // KEYS[1] = meta; ARGV: now (Unix ms), the bucket's blob key prefix. Answers v, x, e (false when absent), then for
    // each 32-byte event record (BucketEventRecord: little-endian slot i4, start i8, end i8, version i8, index i4)
    // whose end is after now, in record order, the value of its blob key (false when it has expired or is lost).
    // The blob keys are not in KEYS, but they carry the bucket's hash tag, so they live in the meta key's slot.
    private const string ReadScript = """
        local state = redis.call('HMGET', KEYS[1], 'v', 'x', 'e')
        local out = { state[1], state[2], state[3] }
        local events = state[3]
        if events then
          local now = tonumber(ARGV[1])
          for i = 1, #events - 31, 32 do
            local _, _, ends, version, index = struct.unpack('<i4i8i8i8i4', events, i)
            if ends > now then
              out[#out + 1] = redis.call('GET', ARGV[2] .. string.format('%d:%d', version, index))
            end
          end
        end
        return out
        """;

    // Created once cluster-wide: the first node to ask sets it, every node reads the same.
    private const string SecretScript = """
        redis.call('SET', KEYS[1], ARGV[1], 'NX')
        return redis.call('GET', KEYS[1])
        """;

    private readonly IConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly long _epochMs;
    private readonly long _retentionMs;
    private readonly bool _verifySettings;
    private readonly bool _ownsConnection;
    private readonly SemaphoreSlim _secretsGate = new(1, 1);
    private byte[]? _coverKey;
    private byte[]? _indexSalt;
    private volatile bool _settingsChecked;
    private long _corruptBlobs;
    private long _missingBlobs;
    private int _disposed;

    private RedisBlobStore(IConnectionMultiplexer connection, RedisStoreOptions options, TimeProvider time, bool ownsConnection)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _database = connection.GetDatabase();
        _time = time;
        _prefix = options.KeyPrefix;
        _epochMs = (long)options.EpochLength.TotalMilliseconds;
        _retentionMs = (long)options.BucketRetentionAfterEpoch.TotalMilliseconds;
        _verifySettings = options.VerifyServerSettings;
        _settingsChecked = !options.VerifyServerSettings;
    }

    /// <summary>How many stored values failed their check when read and were dropped.</summary>
    internal long CorruptBlobCount => Interlocked.Read(ref _corruptBlobs);

    /// <summary>How many blobs live by the store's clock were no longer on the server (its clock ran ahead, or a primary was lost).</summary>
    internal long MissingBlobCount => Interlocked.Read(ref _missingBlobs);

    /// <summary>The connection (tests: the cluster's view; the cluster-wide rate limiter shares it).</summary>
    internal IConnectionMultiplexer Connection => _connection;

    /// <summary>
    /// Connects to the cluster and, when <see cref="RedisStoreOptions.VerifyServerSettings"/> is on, checks the
    /// primaries' settings. A cluster that cannot be reached yet does not fail the open (the client reconnects,
    /// readiness says so, requests are answered <c>unavailable</c>, and the settings are checked on first contact);
    /// a cluster that answers with unsafe settings does.
    /// </summary>
    /// <exception cref="InvalidOperationException">A primary persists to disk or evicts keys; the message says which setting.</exception>
    public static RedisBlobStore Open(RedisStoreOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        var connection = ConnectionMultiplexer.Connect(ConnectionOptions(options));
        var store = new RedisBlobStore(connection, options, timeProvider, ownsConnection: true);
        if (options.VerifyServerSettings && connection.IsConnected)
        {
            try
            {
                store.EnsureSettingsCheckedAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (StoreUnavailableException)
            {
                // Checked again on first contact.
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
        return store;
    }

    /// <summary>
    /// A store over a connection that the caller owns and keeps open (tests: many stores under different key
    /// prefixes on one connection). The server settings are checked on first use.
    /// </summary>
    internal static RedisBlobStore Create(IConnectionMultiplexer connection, RedisStoreOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        return new RedisBlobStore(connection, options, timeProvider, ownsConnection: false);
    }

    /// <summary>The start of every key of this store.</summary>
    internal string KeyPrefix => _prefix;

    /// <summary>The client options: the operator's string, with bounded timeouts and background reconnection.</summary>
    internal static ConfigurationOptions ConnectionOptions(RedisStoreOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        var text = options.Configuration;
        var timeout = (int)RedisStoreOptions.DefaultTimeout.TotalMilliseconds;
        if (!text.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            configuration.ConnectTimeout = timeout;
        }
        if (!text.Contains("syncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            configuration.SyncTimeout = timeout;
        }
        if (!text.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            configuration.AsyncTimeout = timeout;
        }
        configuration.AbortOnConnectFail = false;
        // CONFIG GET (the settings check) is an admin command for the client.
        configuration.AllowAdmin |= options.VerifyServerSettings;
        configuration.ClientName ??= "stir-cps";
        return configuration;
    }

    public ValueTask<ReadOnlyMemory<byte>> GetCoverKeyAsync(CancellationToken cancellationToken) =>
        GetSecretAsync("cover-key", static store => store._coverKey, static (store, value) => store._coverKey = value, cancellationToken);

    public ValueTask<ReadOnlyMemory<byte>> GetIndexSaltAsync(CancellationToken cancellationToken) =>
        GetSecretAsync("index-salt", static store => store._indexSalt, static (store, value) => store._indexSalt = value, cancellationToken);

    public async ValueTask<BucketState> ReadAsync(BucketKey key, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await EnsureSettingsCheckedAsync().ConfigureAwait(false);
        var keys = new RedisBucketKeys(_prefix, key);
        var asked = Now();
        // One round trip whatever the bucket holds (spec/protocol.md §8 "Retrieve"): the script answers the meta
        // fields and the values of the blobs live at `asked`, read in one atomic step (so they are the blobs of the
        // version read), where a second GET used to cost only the buckets with live blobs (issue 13).
        var reply = await Call(() => _database.ScriptEvaluateAsync(ReadScript, [keys.Meta], [asked, keys.BlobPrefix])).ConfigureAwait(false);
        var parts = reply.Resp2Type == ResultType.Array ? (RedisResult[])reply! : [];
        if (parts.Length < 3)
        {
            throw new StoreUnavailableException("The bucket read script answered in an unexpected shape.");
        }
        var (v, x, e) = ((RedisValue)parts[0], (RedisValue)parts[1], (RedisValue)parts[2]);
        var now = Now();
        if (x.IsNull || (long)x <= now || v.IsNull)
        {
            return BucketState.Empty;
        }
        var version = (long)v;
        if (!BucketEventRecord.TryReadAll(((byte[]?)e) ?? [], out var records))
        {
            // The events are what decoys are computed from: serving a bucket without them would change its
            // decoys, so the bucket is unavailable rather than silently different.
            Interlocked.Increment(ref _corruptBlobs);
            throw new StoreUnavailableException("A bucket's slot events are damaged.");
        }
        var events = new SlotEvent[records.Length];
        var live = new List<StoredBlob>();
        var next = 3;
        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            events[i] = record.Event;
            // The script answered one value (nil when gone) per record live at `asked`, in record order.
            if (record.Event.EndUnixMs <= asked)
            {
                continue;
            }
            if (next >= parts.Length)
            {
                throw new StoreUnavailableException("The bucket read script answered fewer blob values than the bucket has live events.");
            }
            var value = (byte[]?)parts[next++];
            if (record.Event.EndUnixMs <= now)
            {
                continue;
            }
            if (value is null)
            {
                Interlocked.Increment(ref _missingBlobs);
                continue;
            }
            if (value.Length <= CheckSize || !CryptographicOperations.FixedTimeEquals(value.AsSpan(0, CheckSize), Check(key, record, value.AsSpan(CheckSize))))
            {
                Interlocked.Increment(ref _corruptBlobs);
                continue;
            }
            live.Add(new StoredBlob(record.Event.Slot, record.Event.StartUnixMs, record.Event.EndUnixMs, value.AsMemory(CheckSize)));
        }
        return new BucketState(version, events, live);
    }

    public async ValueTask<bool> TryAppendAsync(BucketKey key, long expectedVersion, IReadOnlyList<StoredBlob> blobs, long bucketExpiresUnixMs, CancellationToken cancellationToken)
    {
        ValidateAppend(key, expectedVersion, blobs, bucketExpiresUnixMs);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await EnsureSettingsCheckedAsync().ConfigureAwait(false);
        var now = Now();
        if (bucketExpiresUnixMs <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketExpiresUnixMs), bucketExpiresUnixMs, "The bucket expired before the append could be applied.");
        }
        var keys = new RedisBucketKeys(_prefix, key);
        var version = expectedVersion + 1;
        var redisKeys = new RedisKey[blobs.Count + 1];
        var values = new RedisValue[4 + (2 * blobs.Count)];
        var events = new byte[blobs.Count * BucketEventRecord.Size];
        redisKeys[0] = keys.Meta;
        values[0] = expectedVersion;
        values[1] = now;
        values[2] = bucketExpiresUnixMs;
        for (var j = 0; j < blobs.Count; j++)
        {
            var blob = blobs[j];
            var record = new BucketEventRecord(blob.Event, version, j);
            record.Write(events.AsSpan(j * BucketEventRecord.Size));
            redisKeys[j + 1] = keys.Blob(version, j);
            var value = new byte[CheckSize + blob.Content.Length];
            blob.Content.Span.CopyTo(value.AsSpan(CheckSize));
            Check(key, record, blob.Content.Span).CopyTo(value.AsSpan());
            values[4 + (2 * j)] = value;
            values[5 + (2 * j)] = blob.EndUnixMs;
        }
        values[3] = events;
        var result = await Call(() => _database.ScriptEvaluateAsync(AppendScript, redisKeys, values)).ConfigureAwait(false);
        return (long)result == 1;
    }

    public async ValueTask<(bool Ready, string? Reason)> CheckReadyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return (false, "the store is closed");
        }
        var down = _connection.GetServers().Count(server => !server.IsReplica && !server.IsConnected);
        if (!_connection.IsConnected || down > 0)
        {
            return (false, $"{down} cluster primaries are not connected");
        }
        try
        {
            await EnsureSettingsCheckedAsync().ConfigureAwait(false);
            await Call(() => _database.StringSetAsync($"{_prefix}:ready-probe", Now(), TimeSpan.FromSeconds(30))).ConfigureAwait(false);
            return (true, null);
        }
        catch (StoreUnavailableException exception)
        {
            return (false, $"the cluster does not take writes ({exception.InnerException?.GetType().Name ?? "unavailable"})");
        }
        catch (InvalidOperationException exception)
        {
            return (false, exception.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_ownsConnection)
        {
            await _connection.CloseAsync().ConfigureAwait(false);
            _connection.Dispose();
        }
        _secretsGate.Dispose();
        if (_coverKey is not null)
        {
            CryptographicOperations.ZeroMemory(_coverKey);
        }
    }

    public override string ToString() => $"RedisBlobStore({_prefix})";

    private async ValueTask<ReadOnlyMemory<byte>> GetSecretAsync(string name, Func<RedisBlobStore, byte[]?> get, Action<RedisBlobStore, byte[]> set, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (get(this) is { } cached)
        {
            return cached;
        }
        await _secretsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (get(this) is { } raced)
            {
                return raced;
            }
            await EnsureSettingsCheckedAsync().ConfigureAwait(false);
            var candidate = RandomNumberGenerator.GetBytes(SecretSize);
            var result = await Call(() => _database.ScriptEvaluateAsync(SecretScript, [$"{_prefix}:{name}"], [candidate])).ConfigureAwait(false);
            CryptographicOperations.ZeroMemory(candidate);
            var value = (byte[]?)result;
            if (value is null || value.Length != SecretSize)
            {
                throw new InvalidOperationException($"The cluster's {name} is not {SecretSize} bytes; it was written by something else under the key prefix \"{_prefix}\".");
            }
            set(this, value);
            return value;
        }
        finally
        {
            _secretsGate.Release();
        }
    }

    private async ValueTask EnsureSettingsCheckedAsync()
    {
        if (_settingsChecked)
        {
            return;
        }
        var problems = await Call(() => RedisServerSettings.FindProblemsAsync(_connection)).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                "The Redis store refuses these server settings (or set Cps:Redis:VerifyServerSettings=false after reading spec/threat-model.md TM-50): "
                + string.Join(" ", problems));
        }
        _settingsChecked = _verifySettings;
    }

    /// <summary>Runs a cluster call; a connection failure or timeout becomes <see cref="StoreUnavailableException"/>.</summary>
    internal static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException or TimeoutException
            || (exception is RedisServerException server && IsUnavailable(server.Message)))
        {
            throw new StoreUnavailableException("The Redis cluster did not answer.", exception);
        }
    }

    // Cluster errors that mean "not now" rather than a bug: no primary for the slot, a slot moving, a node loading.
    private static bool IsUnavailable(string message) =>
        message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
        || message.StartsWith("LOADING", StringComparison.Ordinal)
        || message.StartsWith("MASTERDOWN", StringComparison.Ordinal);

    /// <summary>SHA-256 over the blob's place (bucket, version, index, slot, life) and bytes, first 16 bytes.</summary>
    private static byte[] Check(BucketKey key, BucketEventRecord record, ReadOnlySpan<byte> content)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.ASCII.GetBytes($"stir-cps-redis-blob\0{key}\0"));
        Span<byte> place = stackalloc byte[BucketEventRecord.Size];
        record.Write(place);
        hash.AppendData(place);
        hash.AppendData(content);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return digest[..CheckSize].ToArray();
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
        var deletion = ((long)key.Epoch + 1) * _epochMs + _retentionMs;
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

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
