using System.Diagnostics;

namespace Stir.Encrypted.Tests.Support;

/// <summary>
/// Independent implementations the suite tests against (secsipidx, SIPp, Node with jose and @hpke/core,
/// Knot DNS, Redis). A missing peer fails the test with the command that installs it; it is never
/// skipped, so a green run always means the interop was checked. `eng/test` installs them all.
/// </summary>
internal static class Peers
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string InteropDirectory => Path.Combine(RepositoryRoot, "tests", "interop");

    /// <summary>Full path of an executable on PATH (or under /usr/sbin), or a failure naming how to install it.</summary>
    public static string Require(string executable, string debianPackage)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Concat(["/usr/sbin", "/sbin"]);
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"test peer '{executable}' is not installed: run ./eng/test as root, or: sudo apt-get install {debianPackage}");
    }

    /// <summary>Node.js with the npm peers of tests/interop installed.</summary>
    public static string RequireNode()
    {
        var node = Require("node", "nodejs");
        if (!Directory.Exists(Path.Combine(InteropDirectory, "node_modules", "jose")))
        {
            throw new InvalidOperationException("npm peers are not installed: run ./eng/test, or: (cd tests/interop && npm ci)");
        }

        return node;
    }

    /// <summary>Runs a process to completion with a time bound, feeding <paramref name="stdin"/>.</summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> args, string? stdin = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish within {timeout ?? TimeSpan.FromSeconds(60)}");
        }

        return new ProcessResult(process.ExitCode, await stdoutTask, await stderrTask);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Stir.Encrypted.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Stir.Encrypted.sln) above " + AppContext.BaseDirectory);
    }
}

internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
