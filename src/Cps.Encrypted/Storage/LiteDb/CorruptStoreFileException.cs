namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// A file of the store (an epoch database, a period key, the cover key or the index salt) is not what the store
/// wrote: truncated, overwritten or from something else. The message names the file and what is wrong with it;
/// the store refuses to open rather than serve from it.
/// </summary>
internal sealed class CorruptStoreFileException : FormatException
{
    public CorruptStoreFileException(string path, string problem, Exception? innerException = null)
        : base($"Store file \"{path}\": {problem}", innerException)
    {
        FilePath = path;
    }

    /// <summary>The file that is corrupt.</summary>
    public string FilePath { get; }
}
