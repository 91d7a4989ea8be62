using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Abuse;

/// <summary>
/// Places that <see cref="IStorerLedger.TryHoldAsync"/> gave a storer in a bucket for one store: <see cref="Count"/>
/// entries named <see cref="Id"/>, held until the store settles them with its blobs' ends or releases them.
/// </summary>
internal sealed record StorerHold(BucketKey Bucket, string StorerTag, string Id, int Count);
