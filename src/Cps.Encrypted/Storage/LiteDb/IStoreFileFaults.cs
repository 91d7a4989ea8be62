namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// A test seam under the embedded store's files: called before every write and every sync of an epoch database
/// or its log, it may throw <see cref="IOException"/> to play a full disk or a failing device at a chosen point.
/// Production passes none.
/// </summary>
internal interface IStoreFileFaults
{
    /// <summary>Before <paramref name="count"/> bytes are written at <paramref name="position"/> of <paramref name="path"/>.</summary>
    void BeforeWrite(string path, long position, int count);

    /// <summary>Before <paramref name="path"/> is synced to the device (<c>fsync</c>).</summary>
    void BeforeSync(string path);
}
