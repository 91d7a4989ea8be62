namespace Stir.Encrypted.KeyRecords;

/// <summary>What <see cref="DirectoryClient.SyncAsync"/> did: which version the local copy is at, how it got there, and what did not verify.</summary>
public sealed class DirectorySyncResult
{
    internal DirectorySyncResult(long version, bool usedSnapshot, int changesApplied, int entries, IReadOnlyList<KeyRecordVerdict> rejected)
    {
        Version = version;
        UsedSnapshot = usedSnapshot;
        ChangesApplied = changesApplied;
        Entries = entries;
        Rejected = rejected;
    }

    /// <summary>The directory version the local copy now reflects.</summary>
    public long Version { get; }

    /// <summary>Whether the snapshot was fetched (first sync, or the change log no longer reached back).</summary>
    public bool UsedSnapshot { get; }

    /// <summary>How many changes were applied on top.</summary>
    public int ChangesApplied { get; }

    /// <summary>How many entries (records and revocations) the local copy holds.</summary>
    public int Entries { get; }

    /// <summary>Entries that did not verify or that the ledger refused (they stay in the copy; lookups refuse them again).</summary>
    public IReadOnlyList<KeyRecordVerdict> Rejected { get; }
}
