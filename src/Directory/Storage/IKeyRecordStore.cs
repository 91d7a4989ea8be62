using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.DirectoryService.Storage;

/// <summary>
/// Where the directory keeps its entries: the current entry per (holder, rid), an append-only versioned log of
/// accepted publications and revocations, and the number and bucket indexes (spec/protocol.md §10 "Storage").
/// Implementations decide seq conflicts atomically with the write and acknowledge only durable writes.
/// </summary>
internal interface IKeyRecordStore : IDisposable
{
    /// <summary>
    /// Stores a verified entry as the current one of its (holder, rid) unless a stored entry or another holder's
    /// ownership of the rid refuses it. When the result is <see cref="PublishOutcome.Stored"/>, the write is durable.
    /// </summary>
    Task<PublishResult> PublishAsync(KeyRecord record, CancellationToken cancellationToken);

    /// <summary>The current records (not revocations) filed under <paramref name="number"/>, expired ones included.</summary>
    Task<IReadOnlyList<StoredEntry>> FindByNumberAsync(TelephoneNumber number, CancellationToken cancellationToken);

    /// <summary>The current records filed under <paramref name="bucket"/> or under every bucket, expired ones included.</summary>
    Task<IReadOnlyList<StoredEntry>> FindByBucketAsync(uint bucket, CancellationToken cancellationToken);

    /// <summary>Every current entry, records and revocations, expired ones included, at one version.</summary>
    Task<StoreSnapshot> SnapshotAsync(CancellationToken cancellationToken);

    /// <summary>The changes after <paramref name="since"/> (at most <paramref name="max"/>); null when the log no longer holds them all.</summary>
    Task<ChangePage?> ChangesAsync(long since, int max, CancellationToken cancellationToken);

    Task<StoreStatus> StatusAsync(CancellationToken cancellationToken);
}
