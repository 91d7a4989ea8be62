using System.Globalization;
using System.Security.Cryptography;
using StackExchange.Redis;
using Stir.Encrypted.CpsService.Abuse;

namespace Stir.Encrypted.CpsService.Storage.Redis;

/// <summary>
/// The storer ledger kept in the Redis cluster that every CPS node shares, so that the storer cap holds across nodes:
/// a storer spreading its stores over N nodes gets the cap once, not N times (TM-61). One sorted set per (bucket,
/// storer tag), under the bucket's hash tag (<see cref="RedisBucketKeys.Storer"/>), so it lives in the bucket's hash
/// slot; members are <c>holdId:index</c>, scores the entries' ends. Each operation is one Lua script: the check and
/// the hold are atomic, entries that have ended are dropped by score, and the key expires at its latest entry's end.
/// </summary>
/// <remarks>
/// Times come from the nodes' <see cref="TimeProvider"/> (the clock blob ends are drawn with) and expiries are
/// relative (<c>PEXPIRE</c>), as in <see cref="RedisBlobStore"/>. Connection failures and timeouts become
/// <see cref="StoreUnavailableException"/>: a store then answers <c>unavailable</c>, as when the bucket cannot be read.
/// </remarks>
internal sealed class RedisStorerLedger : IStorerLedger
{
    // KEYS[1] = the storer's set; ARGV: now, count, cap, hold end, hold id.
    private const string HoldScript = """
        local now = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local count = tonumber(ARGV[2])
        if redis.call('ZCARD', KEYS[1]) + count > tonumber(ARGV[3]) then
          return 0
        end
        for j = 0, count - 1 do
          redis.call('ZADD', KEYS[1], ARGV[4], ARGV[5] .. ':' .. j)
        end
        local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
        redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
        return 1
        """;

    // KEYS[1] = the storer's set; ARGV: now, hold id, then the end of each entry. Adds back an entry that had ended,
    // so that a live blob is always counted.
    private const string SettleScript = """
        local now = tonumber(ARGV[1])
        for j = 3, #ARGV do
          redis.call('ZADD', KEYS[1], ARGV[j], ARGV[2] .. ':' .. (j - 3))
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
        if #last == 0 then
          redis.call('DEL', KEYS[1])
        else
          redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
        end
        return 1
        """;

    // KEYS[1] = the storer's set; ARGV: hold id, count.
    private const string ReleaseScript = """
        for j = 0, tonumber(ARGV[2]) - 1 do
          redis.call('ZREM', KEYS[1], ARGV[1] .. ':' .. j)
        end
        if redis.call('ZCARD', KEYS[1]) == 0 then
          redis.call('DEL', KEYS[1])
        end
        return 1
        """;

    private readonly IDatabase _database;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    public RedisStorerLedger(RedisBlobStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _database = store.Connection.GetDatabase();
        _prefix = store.KeyPrefix;
        _time = time;
    }

    public async ValueTask<StorerHold?> TryHoldAsync(BucketKey bucket, StorerIdentity storer, int count, int cap, long holdUntilUnixMs, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cap, 1);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var key = new RedisBucketKeys(_prefix, bucket).Storer(storer.Tag);
        var result = await RedisBlobStore.Call(() => _database.ScriptEvaluateAsync(HoldScript, [key], [Now(), count, cap, holdUntilUnixMs, id])).ConfigureAwait(false);
        return (long)result == 1 ? new StorerHold(bucket, storer.Tag, id, count) : null;
    }

    public async ValueTask SettleAsync(StorerHold hold, IReadOnlyList<long> endsUnixMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hold);
        ArgumentNullException.ThrowIfNull(endsUnixMs);
        if (endsUnixMs.Count != hold.Count)
        {
            throw new ArgumentException($"{endsUnixMs.Count} ends for a hold of {hold.Count}", nameof(endsUnixMs));
        }

        var values = new RedisValue[2 + endsUnixMs.Count];
        values[0] = Now();
        values[1] = hold.Id;
        for (var j = 0; j < endsUnixMs.Count; j++)
        {
            values[2 + j] = endsUnixMs[j].ToString(CultureInfo.InvariantCulture);
        }

        var key = new RedisBucketKeys(_prefix, hold.Bucket).Storer(hold.StorerTag);
        await RedisBlobStore.Call(() => _database.ScriptEvaluateAsync(SettleScript, [key], values)).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAsync(StorerHold hold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hold);
        var key = new RedisBucketKeys(_prefix, hold.Bucket).Storer(hold.StorerTag);
        await RedisBlobStore.Call(() => _database.ScriptEvaluateAsync(ReleaseScript, [key], [hold.Id, hold.Count])).ConfigureAwait(false);
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
