using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.Redis;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// The <see cref="IBlobStore"/> contract, kept by the Redis store on a real 3-primary cluster (each test under its
/// own key prefix; "reopen" is a new connection to the same cluster, as a restarted or second CPS node).
/// </summary>
public sealed class RedisBlobStoreContractTests : BlobStoreContractTests
{
    private readonly string _prefix = "contract-" + Guid.NewGuid().ToString("N");

    private protected override async ValueTask<IBlobStore> OpenStoreAsync()
    {
        var cluster = await RedisServers.Shared;
        return RedisBlobStore.Open(Options(cluster, _prefix), Time);
    }

    internal static RedisStoreOptions Options(RedisServers cluster, string prefix) => new()
    {
        Configuration = cluster.Configuration,
        KeyPrefix = prefix,
        EpochLength = EpochLength,
        BucketRetentionAfterEpoch = Retention,
    };
}
