using System.Diagnostics;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// What someone with read access to the data directory sees: every byte of every file. The open store holds its
/// files locked, so the scan copies the directory with <c>cp</c> (which does not take the lock), as an attacker
/// or a backup would.
/// </summary>
internal static class DataDirectoryScan
{
    /// <summary>Every file under <paramref name="directory"/>, read while the store may hold it open.</summary>
    public static IReadOnlyList<(string Path, byte[] Bytes)> Snapshot(string directory)
    {
        var copy = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "stir-cps-scan-" + Guid.NewGuid().ToString("N"));
        try
        {
            var start = new ProcessStartInfo("cp") { RedirectStandardError = true };
            start.ArgumentList.Add("-R");
            start.ArgumentList.Add(directory);
            start.ArgumentList.Add(copy);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"cp failed: {error}");
            return [.. Directory.EnumerateFiles(copy, "*", SearchOption.AllDirectories)
                .Select(path => (System.IO.Path.GetRelativePath(copy, path), File.ReadAllBytes(path)))];
        }
        finally
        {
            if (Directory.Exists(copy))
            {
                Directory.Delete(copy, recursive: true);
            }
        }
    }

    /// <summary>The files containing any 32-byte-aligned 32-byte piece of <paramref name="secret"/>.</summary>
    public static IEnumerable<string> FilesContaining(IReadOnlyList<(string Path, byte[] Bytes)> files, byte[] secret)
    {
        const int Piece = 32;
        foreach (var (path, bytes) in files)
        {
            for (var offset = 0; offset + Piece <= secret.Length; offset += Piece)
            {
                if (bytes.AsSpan().IndexOf(secret.AsSpan(offset, Piece)) >= 0)
                {
                    yield return path;
                    break;
                }
            }
        }
    }
}
