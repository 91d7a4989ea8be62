namespace Stir.Encrypted.CpsService.Storage.Redis;

/// <summary>
/// Settings of the Redis/Valkey store (<c>Cps:Redis:*</c>). The epoch length and bucket retention are the
/// service's own (set by <c>CpsStoreRegistration</c>), so that no bucket is accepted with an expiry beyond its
/// epoch's retention.
/// </summary>
internal sealed class RedisStoreOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string: the cluster's (or server's) endpoints and options, e.g.
    /// <c>10.0.0.1:6379,10.0.0.2:6379,password=...</c>. Required. Timeouts not given are
    /// <see cref="DefaultTimeout"/>, so that no request waits long on a node that is down.
    /// </summary>
    public string Configuration { get; set; } = "";

    /// <summary>
    /// The start of every key this deployment writes, so that deployments (or test runs) can share a cluster.
    /// It stays outside the hash tags: a bucket's keys hash to one slot by the bucket alone.
    /// </summary>
    public string KeyPrefix { get; set; } = "stir-cps";

    /// <summary>
    /// Whether opening the store checks every primary's settings (no RDB snapshots, no AOF, eviction
    /// <c>noeviction</c>) and refuses to run otherwise. Turn off only where <c>CONFIG</c> is disabled and the
    /// operator has checked the settings themself; the store then logs that it did not check.
    /// </summary>
    public bool VerifyServerSettings { get; set; } = true;

    public TimeSpan EpochLength { get; set; } = TimeSpan.FromSeconds(3600);

    public TimeSpan BucketRetentionAfterEpoch { get; set; } = TimeSpan.FromSeconds(65);

    /// <summary>
    /// Connect, sync and async timeouts when the configuration string does not set them: shorter than a callee's
    /// CPS timeout (2 s), so that a node whose primary is gone answers 503 before the callee gives up.
    /// </summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
        {
            throw new ArgumentException("Cps:Redis:Configuration is required when Cps:Store is Redis.", nameof(Configuration));
        }
        if (string.IsNullOrEmpty(KeyPrefix) || KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("Cps:Redis:KeyPrefix must be non-empty and contain no '{' or '}' (they would change the keys' hash slots).", nameof(KeyPrefix));
        }
        if (EpochLength < TimeSpan.FromSeconds(1) || BucketRetentionAfterEpoch < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(EpochLength), EpochLength, "The epoch length must be at least 1 s and the retention not negative.");
        }
    }
}
