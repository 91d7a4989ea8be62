namespace Stir.Encrypted.KeyRecords;

/// <summary>How <see cref="DirectoryClient.LookupAsync"/> asks (spec/protocol.md §10 "Lookups", "Client processing").</summary>
public enum DirectoryLookupMode
{
    /// <summary>Ask for the number's bucket: the directory learns a bucket shared by many numbers, and when.</summary>
    Bucketed,

    /// <summary>Ask for the number itself: the directory learns the number.</summary>
    Exact,

    /// <summary>Answer from the local cache only (synced snapshot, prefetched buckets): the directory learns nothing now.</summary>
    Cached,

    /// <summary>
    /// Bring the local copy up to date by snapshot and changes (which name no number), then answer from the local
    /// cache: the directory learns that the client is active, not what it looks up. When the sync fails, the cache
    /// answers as it is, and the result says why.
    /// </summary>
    Synced,
}
