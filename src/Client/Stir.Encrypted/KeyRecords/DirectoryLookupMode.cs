namespace Stir.Encrypted.KeyRecords;

/// <summary>How <see cref="DirectoryClient.LookupAsync"/> asks (spec/protocol.md §10 "Lookups").</summary>
public enum DirectoryLookupMode
{
    /// <summary>Ask for the number's bucket: the directory learns a bucket shared by many numbers. The default.</summary>
    Bucketed,

    /// <summary>Ask for the number itself: the directory learns the number.</summary>
    Exact,

    /// <summary>Answer from the local cache only (synced snapshot, prefetched buckets): the directory learns nothing now.</summary>
    Cached,
}
