namespace Stir.Encrypted.DirectoryService.Storage.LiteDb;

/// <summary>
/// The stream LiteDB writes the directory database or its log through: every flush reaches the disk
/// (<c>fsync</c>), because LiteDB's own flushes stop at the operating system. Opened with
/// <see cref="FileShare.None"/>, so a second directory process on the same data fails instead of corrupting it.
/// </summary>
internal sealed class SyncedFileStream : FileStream
{
    private SyncedFileStream(string path, FileStreamOptions options)
        : base(path, options)
    {
    }

    public static SyncedFileStream OpenOrCreate(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.RandomAccess,
            BufferSize = 0, // LiteDB writes whole 8 KiB pages; a buffer would only copy them once more
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new SyncedFileStream(path, options);
    }

    public override void Flush() => base.Flush(flushToDisk: true);

    public override void Flush(bool flushToDisk) => base.Flush(flushToDisk: true);
}
