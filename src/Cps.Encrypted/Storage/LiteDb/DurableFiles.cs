using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// The few file operations the store's durability rests on: owner-only creation, write-then-rename with
/// <c>fsync</c> of the file and of its directory, and destruction by overwriting before deleting.
/// </summary>
/// <remarks>
/// A rename or an unlink is durable only once the directory itself is synced (POSIX leaves it to the file
/// system), so every change of a directory entry that an acknowledgement depends on is followed by
/// <see cref="SyncDirectory"/>. Overwriting before deleting defeats recovery from the freed blocks on file
/// systems that rewrite in place (ext4, xfs); copy-on-write file systems keep the old blocks, which is why
/// the bytes kept at rest are encrypted under keys that themselves are destroyed this way.
/// </remarks>
internal static class DurableFiles
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The suffix of a file being written, before its rename to the final name.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Creates the directory if missing and makes it owner-only (0700).</summary>
    public static void CreateOwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
            var parent = Path.GetDirectoryName(Path.GetFullPath(path));
            if (parent is not null)
            {
                SyncDirectory(parent);
            }
        }
        File.SetUnixFileMode(path, OwnerOnlyDirectory);
    }

    /// <summary>Opens a file that, when created, is readable and writable by its owner only (0600).</summary>
    public static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share, FileOptions options = FileOptions.None)
    {
        var streamOptions = new FileStreamOptions { Mode = mode, Access = access, Share = share, Options = options, BufferSize = 0 };
        if (!OperatingSystem.IsWindows() && mode is FileMode.Create or FileMode.CreateNew or FileMode.OpenOrCreate)
        {
            streamOptions.UnixCreateMode = OwnerOnlyFile;
        }
        return new FileStream(path, streamOptions);
    }

    /// <summary>
    /// Writes a new file so that after a crash it is either absent or complete: the bytes go to a temporary
    /// file that is synced, renamed over <paramref name="path"/>, and the directory synced.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + TemporarySuffix;
        WriteSynced(temporary, content);
        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Creates (or replaces) a file with <paramref name="content"/> and syncs it; its directory entry is not synced.</summary>
    public static void WriteSynced(string path, ReadOnlySpan<byte> content)
    {
        using var stream = Open(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Overwrites the whole file with zeros, syncs it, deletes it and syncs the directory, so that its former
    /// content is not left in blocks the file system still maps to it. Missing files are ignored.
    /// </summary>
    public static void Destroy(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }
        using (var stream = Open(path, FileMode.Open, FileAccess.Write, FileShare.None))
        {
            var zeros = new byte[64 * 1024];
            var remaining = stream.Length;
            while (remaining > 0)
            {
                var count = (int)Math.Min(zeros.Length, remaining);
                stream.Write(zeros, 0, count);
                remaining -= count;
            }
            stream.Flush(flushToDisk: true);
        }
        File.Delete(path);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Deletes a file (when present) and makes the deletion durable.</summary>
    public static void Delete(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }
        File.Delete(path);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Makes the directory's entries (creations, renames, deletions) durable: <c>fsync</c> on the directory.</summary>
    public static void SyncDirectory(string path)
    {
        // Windows offers no handle on a directory to flush; NTFS journals its metadata.
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var fd = NativeOpen(path, 0 /* O_RDONLY: enough to fsync a directory */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory \"{path}\" to sync it.", new Win32Exception(Marshal.GetLastPInvokeError()));
        }
        try
        {
            if (NativeFsync(fd) != 0)
            {
                throw new IOException($"Cannot sync directory \"{path}\".", new Win32Exception(Marshal.GetLastPInvokeError()));
            }
        }
        finally
        {
            _ = NativeClose(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int NativeOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int NativeFsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int NativeClose(int fd);
}
