namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// The stream LiteDB writes an epoch database or its log through: every flush reaches the disk.
/// </summary>
/// <remarks>
/// LiteDB 5.0.21 writes a commit's pages to its log without flushing them and, at a checkpoint, flushes the data
/// file only to the OS (<c>Flush(false)</c>) before truncating the log, so a power loss could drop
/// acknowledged transactions or lose pages the truncated log no longer holds. Giving LiteDB these streams
/// turns its checkpoint flush into an <c>fsync</c> (the data is durable before the log is cut), and the store
/// syncs the log itself after each commit (<see cref="SyncToDisk"/>) before acknowledging anything.
/// Opened with <see cref="FileShare.None"/>: a second process opening the same file fails instead of
/// corrupting it.
/// </remarks>
internal sealed class DurableFileStream : FileStream
{
    private DurableFileStream(string path, FileStreamOptions options)
        : base(path, options)
    {
    }

    /// <summary>Opens or creates (owner-only) the file for LiteDB's exclusive use.</summary>
    public static DurableFileStream OpenOrCreate(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.RandomAccess,
            // LiteDB reads and writes whole 8 KiB pages; a FileStream buffer would only copy them once more.
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return new DurableFileStream(path, options);
    }

    public override void Flush() => base.Flush(flushToDisk: true);

    public override void Flush(bool flushToDisk) => base.Flush(flushToDisk: true);

    /// <summary>Makes every byte written so far durable (<c>fsync</c>).</summary>
    public void SyncToDisk() => base.Flush(flushToDisk: true);
}
