namespace Stir.Encrypted.DirectoryService.Storage;

/// <summary>What the store did with a verified entry.</summary>
internal enum PublishOutcome
{
    /// <summary>Stored as the current entry of its (holder, rid), at a new version.</summary>
    Stored,

    /// <summary>The identical entry is already current: nothing changed.</summary>
    Unchanged,

    /// <summary>The stored entry has a higher seq (or the same seq as a revocation): refused.</summary>
    StaleSeq,

    /// <summary>A different entry with the same seq is stored: refused.</summary>
    SeqConflict,

    /// <summary>Another holder owns the rid: refused.</summary>
    HolderMismatch,
}

/// <summary>The store's answer to a publication.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Version">The directory version now (for Stored: the new one; for Unchanged: the entry's).</param>
/// <param name="Current">The entry that decided a refusal or an unchanged answer, if any.</param>
internal sealed record PublishResult(PublishOutcome Outcome, long Version, StoredEntry? Current);
