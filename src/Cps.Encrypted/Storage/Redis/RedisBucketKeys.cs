using StackExchange.Redis;

namespace Stir.Encrypted.CpsService.Storage.Redis;

/// <summary>
/// The Redis keys of one bucket. All of them carry the bucket in one hash tag (<c>{epoch/size/bucket}</c>), so a
/// bucket lives in one hash slot of the cluster: its append script touches keys of one node only, and two
/// buckets are as independent as two slots.
/// </summary>
/// <remarks>
/// <code>
/// &lt;prefix&gt;:{e/s/b}:m           hash: v = version, x = bucket expiry (Unix ms), e = slot events (BucketEventRecord ×n);
///                           expires (PEXPIRE) at the bucket's expiry
/// &lt;prefix&gt;:{e/s/b}:b:&lt;v&gt;:&lt;j&gt;     string: the j-th blob of the append that made version v (tag ‖ content);
///                           expires at the blob's end
/// &lt;prefix&gt;:{e/s/b}:s:&lt;tag&gt;       sorted set: one storer's entries in the bucket (member = hold id:index,
///                           score = end, Unix ms), for the storer cap (RedisStorerLedger); tag = StorerIdentity.Tag;
///                           expires at its latest entry's end
/// </code>
/// </remarks>
internal readonly struct RedisBucketKeys
{
    private readonly string _tagged;

    public RedisBucketKeys(string prefix, BucketKey key) => _tagged = $"{prefix}:{{{key}}}:";

    public RedisKey Meta => _tagged + "m";

    public RedisKey Blob(long version, int index) => $"{BlobPrefix}{version}:{index}";

    /// <summary>The start of the bucket's blob keys (the read script appends <c>&lt;v&gt;:&lt;j&gt;</c>).</summary>
    public string BlobPrefix => _tagged + "b:";

    public RedisKey Storer(string tag) => $"{_tagged}s:{tag}";
}
