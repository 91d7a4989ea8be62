namespace Stir.Encrypted.CpsService.Abuse;

/// <summary>
/// The per-storer accounting behind the storer cap (spec/protocol.md §8 "Store", TM-61): how many live real blobs
/// each storer holds in each bucket. The endpoint holds places before it reads the bucket, so whether a store is
/// refused for the cap depends on that storer's own blobs only, never on anyone else's, even under concurrent stores;
/// it then settles them with the blobs' ends, or releases them when nothing was stored. An in-memory ledger serves a
/// single node (the LiteDB store); the Redis ledger keeps the entries in the cluster, next to the bucket, so that the
/// cap holds across every node. The endpoint does not know which.
/// </summary>
/// <remarks>
/// Entries expire at their end (a held place at the hold's provisional end, a settled one at its blob's end), and
/// the storer appears only as <see cref="StorerIdentity.Tag"/>.
/// </remarks>
internal interface IStorerLedger
{
    /// <summary>
    /// Atomically: when the storer's live entries in the bucket plus <paramref name="count"/> would exceed
    /// <paramref name="cap"/>, returns null and changes nothing; else adds <paramref name="count"/> entries lasting until
    /// <paramref name="holdUntilUnixMs"/> (an upper bound of the blobs' ends) and returns them.
    /// </summary>
    ValueTask<StorerHold?> TryHoldAsync(Storage.BucketKey bucket, StorerIdentity storer, int count, int cap, long holdUntilUnixMs, CancellationToken cancellationToken);

    /// <summary>The store succeeded: each held entry now lasts until its blob's end (<paramref name="endsUnixMs"/>, one per entry).</summary>
    ValueTask SettleAsync(StorerHold hold, IReadOnlyList<long> endsUnixMs, CancellationToken cancellationToken);

    /// <summary>The store did not happen: the held entries go.</summary>
    ValueTask ReleaseAsync(StorerHold hold, CancellationToken cancellationToken);
}
