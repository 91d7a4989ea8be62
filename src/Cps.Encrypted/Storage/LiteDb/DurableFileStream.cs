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
    private readonly IStoreFileFaults? _faults;

    private DurableFileStream(string path, FileStreamOptions options, IStoreFileFaults? faults)
        : base(path, options)
    {
        _faults = faults;
    }

    /// <summary>Opens or creates (owner-only) the file for LiteDB's exclusive use; <paramref name="faults"/> is for tests.</summary>
    public static DurableFileStream OpenOrCreate(string path, IStoreFileFaults? faults = null)
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
        return new DurableFileStream(path, options, faults);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        _faults?.BeforeWrite(Name, Position, count);
        base.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _faults?.BeforeWrite(Name, Position, buffer.Length);
        base.Write(buffer);
    }

    public override void WriteByte(byte value)
    {
        _faults?.BeforeWrite(Name, Position, 1);
        base.WriteByte(value);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _faults?.BeforeWrite(Name, Position, count);
        return base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _faults?.BeforeWrite(Name, Position, buffer.Length);
        return base.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => SyncToDisk();

    public override void Flush(bool flushToDisk) => SyncToDisk();

    /// <summary>Makes every byte written so far durable (<c>fsync</c>).</summary>
    public void SyncToDisk()
    {
        _faults?.BeforeSync(Name);
        base.Flush(flushToDisk: true);
    }
}
