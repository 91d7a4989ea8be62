using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>Store settings the LiteDB tests share.</summary>
internal static class LiteDbStoreFixture
{
    public static readonly TimeSpan EpochLength = TimeSpan.FromHours(1);
    public static readonly TimeSpan Retention = TimeSpan.FromSeconds(65);
    public static readonly TimeSpan KeyPeriod = TimeSpan.FromSeconds(10);

    /// <summary>
    /// On a fake clock nothing would end the writer's batching wait, so it is off; requests queued while a
    /// commit runs still share the next one.
    /// </summary>
    public static LiteDbStoreOptions Options(string directory) => new()
    {
        DataDirectory = directory,
        EpochLength = EpochLength,
        BucketRetentionAfterEpoch = Retention,
        KeyPeriod = KeyPeriod,
        BatchWait = TimeSpan.Zero,
    };
}
