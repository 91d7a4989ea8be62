using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// The keys a caller may encrypt to for a number, after every record was verified and checked against the ledger;
/// the records that were refused, each with its verdict; and where they came from.
/// </summary>
public sealed class DirectoryLookupResult
{
    internal DirectoryLookupResult(TelephoneNumber number, IReadOnlyList<VerifiedKeyRecord> keys, IReadOnlyList<KeyRecordVerdict> rejected, DirectoryLookupSource source, TimeSpan age, bool truncated, string? directoryFailure)
    {
        Number = number;
        Keys = keys;
        Rejected = rejected;
        Source = source;
        Age = age;
        Truncated = truncated;
        DirectoryFailure = directoryFailure;
    }

    /// <summary>The number looked up.</summary>
    public TelephoneNumber Number { get; }

    /// <summary>The usable keys: one per (holder, rid) that verified, covers the number and passed the ledger.</summary>
    public IReadOnlyList<VerifiedKeyRecord> Keys { get; }

    /// <summary>Records that list the number but were refused, with why (untrusted chain, not covered, rollback, ...).</summary>
    public IReadOnlyList<KeyRecordVerdict> Rejected { get; }

    /// <summary>Whether the directory answered this lookup or the cache did.</summary>
    public DirectoryLookupSource Source { get; }

    /// <summary>How old the data is: zero for a fresh directory answer, else the age of the newest cached data used.</summary>
    public TimeSpan Age { get; }

    /// <summary>The bucket answer was cut at its fixed size: some records of the bucket may be missing (sync the snapshot).</summary>
    public bool Truncated { get; }

    /// <summary>When the cache answered because the directory did not: why the directory did not.</summary>
    public string? DirectoryFailure { get; }
}
