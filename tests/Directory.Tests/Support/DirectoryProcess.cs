using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Stir.Encrypted.DirectoryService.Tests.Support;

/// <summary>
/// The credential directory as a real process on loopback, exactly as an operator runs it:
/// <c>dotnet Stir.Encrypted.Directory.dll --urls http://127.0.0.1:&lt;port&gt; --Directory:DataDirectory=&lt;dir&gt;
/// --Directory:TrustAnchorsFile=&lt;pem&gt;</c>. The service is the build output that the test project's reference to
/// <c>src/Directory</c> copies beside the tests, so a clean <c>dotnet test</c> builds and finds it (the same shape as
/// the CPS tests' <c>CpsProcess</c>). <see cref="StartAsync"/> returns once <c>/health/ready</c> answers
/// 200; stdout and stderr are captured for failure messages; disposing kills the process.
/// </summary>
internal sealed partial class DirectoryProcess : IAsyncDisposable
{
    public const string ServiceAssembly = "Stir.Encrypted.Directory.dll";
    private const int KeptOutputLines = 400000;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _pumps;

    private DirectoryProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, ""), PumpAsync(process.StandardError, "stderr: "));
    }

    /// <summary>The loopback port the service listens on (the same one again when a restart asks for it).</summary>
    public int Port { get; private set; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>The operating-system process id (the <c>dotnet</c> host runs the service in its own process).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Whether Kestrel has said it listens: the store is open and recovered by then (hosted services start first).</summary>
    public bool IsListening => _listening.Task.IsCompleted;

    /// <summary>The last lines the service wrote to stdout and stderr, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts the service and waits until it is ready. <paramref name="port"/> 0 lets the kernel choose (read back
    /// from Kestrel's "Now listening on" line, so no other process can take it in between); a restart passes the
    /// previous <see cref="Port"/>.
    /// </summary>
    public static async Task<DirectoryProcess> StartAsync(
        string dataDirectory,
        string trustAnchorsFile,
        IReadOnlyDictionary<string, string>? settings = null,
        int port = 0,
        TimeSpan? readyTimeout = null)
    {
        var directory = Launch(dataDirectory, trustAnchorsFile, settings, port);
        try
        {
            var timeout = readyTimeout ?? TimeSpan.FromSeconds(90);
            var started = Stopwatch.StartNew();
            if (port == 0)
            {
                var first = await Task.WhenAny(directory._listening.Task, directory._process.WaitForExitAsync(), Task.Delay(timeout));
                if (first != directory._listening.Task)
                {
                    await directory.KillAsync();
                    throw new InvalidOperationException($"the directory process did not report its port:\n{directory.Output}");
                }

                directory.Port = await directory._listening.Task;
            }

            await directory.WaitUntilReadyAsync(timeout - started.Elapsed);
            return directory;
        }
        catch
        {
            await directory.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the service without waiting for anything (for kills that must land while it starts and recovers);
    /// <paramref name="port"/> 0 lets the kernel choose, known once the service says where it listens.
    /// </summary>
    public static DirectoryProcess Launch(string dataDirectory, string trustAnchorsFile, IReadOnlyDictionary<string, string>? settings = null, int port = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        var service = Path.Combine(AppContext.BaseDirectory, ServiceAssembly);
        if (!File.Exists(service))
        {
            throw new FileNotFoundException($"{ServiceAssembly} is not beside the tests; the test project's reference to src/Directory copies it there", service);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root: nothing to read there (no appsettings.json), and the store beside it.
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(service);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        start.ArgumentList.Add($"--Directory:DataDirectory={Path.Combine(dataDirectory, "store")}");
        start.ArgumentList.Add($"--Directory:TrustAnchorsFile={trustAnchorsFile}");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // Nothing from the test host's environment may reconfigure the service behind the test's back.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("Directory__", StringComparison.Ordinal) || k.StartsWith("DOTNET_GC", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        return new DirectoryProcess(process, port);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200, failing with the captured output if the process stops or the time runs out.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        if (Port == 0)
        {
            Port = await _listening.Task.WaitAsync(timeout);
        }

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                await _pumps.WaitAsync(TimeSpan.FromSeconds(5));
                throw new InvalidOperationException($"the directory process exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri(BaseUrl, "health/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"the directory process was not ready within {timeout.TotalSeconds:F0} s:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no finally blocks, no flush; returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        await _process.WaitForExitAsync();
        await _pumps.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader, string prefix)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _output.Enqueue(prefix + line);
            while (_output.Count > KeptOutputLines)
            {
                _output.TryDequeue(out _);
            }

            if (ListeningOn().Match(line) is { Success: true } match)
            {
                _listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningOn();
}
