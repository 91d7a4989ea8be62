namespace Stir.Encrypted.KeyRecords;

/// <summary>Where the records of a lookup came from.</summary>
public enum DirectoryLookupSource
{
    /// <summary>An answer of the directory to this lookup.</summary>
    Directory,

    /// <summary>The local cache (the directory was not asked, or did not answer).</summary>
    Cache,
}
