namespace Stir.Encrypted.DirectoryService.Storage;

/// <summary>Every current entry at one version, ordered by (holder, rid).</summary>
internal sealed record StoreSnapshot(long Version, IReadOnlyList<StoredEntry> Entries);

/// <summary>One accepted publication or revocation of the change log.</summary>
internal sealed record ChangeEntry(long Version, string Token);

/// <summary>A run of the change log after a version, and where the log stands.</summary>
/// <param name="Changes">The changes after the requested version, in order.</param>
/// <param name="Latest">The directory's version now.</param>
internal sealed record ChangePage(IReadOnlyList<ChangeEntry> Changes, long Latest);

/// <summary>Where the directory's versions stand.</summary>
/// <param name="Version">The version of the last accepted change (0 when none).</param>
/// <param name="OldestRetained">The oldest version whose change the log still holds (Version + 1 when empty).</param>
internal sealed record StoreStatus(long Version, long OldestRetained);
