using System.Globalization;

namespace Stir.Encrypted.Benchmarks.Load;

/// <summary>Resident memory of a process (Linux /proc/PID/status) and the size of a directory tree on disk.</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS and VmHWM (peak) in bytes; zeros where /proc does not say.</summary>
    public static (long Rss, long Peak) Of(string pid = "self")
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }

        return (rss, peak);
    }

    /// <summary>The bytes of every file under <paramref name="directory"/> (apparent size, as <c>du -sb</c>).</summary>
    public static long DirectoryBytes(string directory) =>
        Directory.Exists(directory)
            ? new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
            : 0;

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
}
