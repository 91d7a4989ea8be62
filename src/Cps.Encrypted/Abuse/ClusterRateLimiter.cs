using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.Redis;

namespace Stir.Encrypted.CpsService.Abuse;

/// <summary>
/// Per-client limits shared by every CPS node on a Redis cluster: a token bucket per (policy, client partition)
/// in the cluster, so a client spreading requests over nodes gets the same limit as one talking to a single node.
/// Used instead of the in-memory limiter when the store is Redis; same 429 answer.
/// </summary>
/// <remarks>
/// <para>The bucket holds up to <c>PermitLimit</c> tokens and refills at <c>PermitLimit</c> per
/// <c>WindowSeconds</c>, continuously; a request takes one token or is refused with the time until the next one.
/// The refill uses the server's clock (<c>TIME</c>), one clock for all nodes. The key expires after one window
/// idle (the bucket is full again by then, so nothing is lost).</para>
/// <para>Privacy: the key is an HMAC of the partition under the deployment's cover key, not the address, so the
/// cluster's memory holds no client address. When the cluster cannot be reached the request goes on (the store
/// calls then answer <c>unavailable</c>), so the limiter never turns an outage into 429s.</para>
/// </remarks>
internal sealed class ClusterRateLimiter
{
    private const string TokenBucketScript = """
        local capacity = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 't', 'at')
        local tokens = tonumber(state[1]) or capacity
        local at = tonumber(state[2]) or now
        if now > at then
          tokens = math.min(capacity, tokens + (now - at) * capacity / window)
        end
        local allowed = 0
        local wait = 0
        if tokens >= 1 then
          tokens = tokens - 1
          allowed = 1
        else
          wait = math.ceil((1 - tokens) * window / capacity)
        end
        redis.call('HSET', KEYS[1], 't', tokens, 'at', now)
        redis.call('PEXPIRE', KEYS[1], window)
        return {allowed, wait}
        """;

    private readonly RedisBlobStore _store;
    private readonly IDatabase _database;
    private readonly string _prefix;

    public ClusterRateLimiter(RedisBlobStore store, string keyPrefix)
    {
        _store = store;
        _database = store.Connection.GetDatabase();
        _prefix = keyPrefix;
    }

    /// <summary>Takes a token for <paramref name="partition"/> under <paramref name="policy"/>; when refused, how long until one is free.</summary>
    public async Task<(bool Allowed, TimeSpan RetryAfter)> TryAcquireAsync(string policy, string partition, int permitLimit, int windowSeconds, CancellationToken cancellationToken)
    {
        try
        {
            var key = await KeyAsync(policy, partition, cancellationToken).ConfigureAwait(false);
            var result = (RedisResult[])(await _database.ScriptEvaluateAsync(TokenBucketScript, [key], [permitLimit, windowSeconds * 1000L]).ConfigureAwait(false))!;
            return ((long)result[0] == 1, TimeSpan.FromMilliseconds(Math.Max(1000, (long)result[1])));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or StoreUnavailableException)
        {
            return (true, TimeSpan.Zero);
        }
    }

    private async Task<RedisKey> KeyAsync(string policy, string partition, CancellationToken cancellationToken)
    {
        var coverKey = await _store.GetCoverKeyAsync(cancellationToken).ConfigureAwait(false);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(coverKey.Span, Encoding.UTF8.GetBytes($"stir-cps-rate\0{policy}\0{partition}"), mac);
        return $"{_prefix}:rate:{policy}:{Base64Url.EncodeToString(mac[..16])}";
    }
}
