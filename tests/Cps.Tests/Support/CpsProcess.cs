using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// The CPS as a real process on loopback, exactly as an operator runs it:
/// <c>dotnet Stir.Encrypted.Cps.dll --urls http://127.0.0.1:&lt;port&gt; --Cps:DataDirectory=&lt;dir&gt;
/// --Cps:Management:Urls=http://127.0.0.1:0</c> (metrics on a management port the kernel chooses: <see cref="ManagementUrl"/>). The service
/// is the build output that the test project's reference to <c>Cps.Encrypted</c> copies beside the tests, so a
/// clean <c>dotnet test</c> builds and finds it. <see cref="StartAsync"/> returns once <c>/health/ready</c> answers
/// 200; stdout and stderr are captured for failure messages; disposing kills the process.
/// </summary>
internal sealed partial class CpsProcess : IAsyncDisposable
{
    public const string ServiceAssembly = "Stir.Encrypted.Cps.dll";
    public const string ManagementSetting = "Cps:Management:Urls";
    private const int KeptOutputLines = 400;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Uri> _management = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _pumps;

    private CpsProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, ""), PumpAsync(process.StandardError, "stderr: "));
    }

    /// <summary>The loopback port the service listens on (the same one again when a restart asks for it).</summary>
    public int Port { get; private set; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>
    /// The management listener's base URL (<c>/metrics</c>, <c>/openapi/v1.json</c>), on a loopback port the kernel
    /// chose, read from the service's "CPS management endpoint listening on" line (known once <see cref="StartAsync"/>
    /// returns, unless the test turned the listener off).
    /// </summary>
    public Uri ManagementUrl => _management.Task.IsCompletedSuccessfully
        ? _management.Task.Result
        : throw new InvalidOperationException($"the CPS process has not said where its management listener is:\n{Output}");

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
    public static async Task<CpsProcess> StartAsync(
        string dataDirectory,
        IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string>? environment = null,
        int port = 0,
        TimeSpan? readyTimeout = null)
    {
        var cps = Launch(dataDirectory, settings, environment, port);
        try
        {
            var timeout = readyTimeout ?? TimeSpan.FromSeconds(90);
            var started = Stopwatch.StartNew();
            if (port == 0)
            {
                var first = await Task.WhenAny(cps._listening.Task, cps._process.WaitForExitAsync(), Task.Delay(timeout));
                if (first != cps._listening.Task)
                {
                    await cps.KillAsync();
                    throw new InvalidOperationException($"the CPS process did not report its port:\n{cps.Output}");
                }

                cps.Port = await cps._listening.Task;
            }

            await cps.WaitUntilReadyAsync(timeout - started.Elapsed);
            if (settings?.GetValueOrDefault(ManagementSetting) is not "")
            {
                // Logged before Kestrel starts (hosted services start first), so it is at most a pipe read away.
                await cps._management.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }

            return cps;
        }
        catch
        {
            await cps.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the service without waiting for anything (for kills that must land while it starts and recovers);
    /// <paramref name="port"/> 0 lets the kernel choose, known once the service says where it listens.
    /// </summary>
    public static CpsProcess Launch(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null, IReadOnlyDictionary<string, string>? environment = null, int port = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        var service = Path.Combine(AppContext.BaseDirectory, ServiceAssembly);
        if (!File.Exists(service))
        {
            throw new FileNotFoundException($"{ServiceAssembly} is not beside the tests; the test project's reference to Cps.Encrypted copies it there", service);
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
        start.ArgumentList.Add($"--Cps:DataDirectory={Path.Combine(dataDirectory, "store")}");
        // Metrics live on the management listener; on the default port 9464 two processes would clash.
        start.ArgumentList.Add($"--{ManagementSetting}=http://127.0.0.1:0");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // Nothing from the test host's environment may reconfigure the service behind the test's back.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("Cps__", StringComparison.Ordinal) || k.StartsWith("DOTNET_GC", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        return new CpsProcess(process, port);
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
                throw new InvalidOperationException($"the CPS process exited with code {_process.ExitCode} before it was ready:\n{Output}");
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
                throw new TimeoutException($"the CPS process was not ready within {timeout.TotalSeconds:F0} s:\n{Output}");
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

    /// <summary>Resident set size now (<c>VmRSS</c> of /proc/&lt;pid&gt;/status), in bytes.</summary>
    public long ResidentBytes() => ReadStatusKiB("VmRSS") * 1024;

    /// <summary>The peak resident set size the kernel recorded for the process (<c>VmHWM</c>), in bytes.</summary>
    public long PeakResidentBytes() => ReadStatusKiB("VmHWM") * 1024;

    /// <summary>
    /// An HTTP client whose connections leave from <paramref name="localAddress"/> (any 127.0.0.0/8 address works on
    /// Linux loopback), so the service's per-address rate limits see it as that client.
    /// </summary>
    public static HttpClient CreateHttpClient(IPAddress localAddress, int maxConnections = 4, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
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
            else if (ManagementListeningOn().Match(line) is { Success: true } management)
            {
                _management.TrySetResult(new Uri(management.Groups[1].Value + "/"));
            }
        }
    }

    private long ReadStatusKiB(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{Id.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var value = line[(field.Length + 1)..].Trim();
                return long.Parse(value[..value.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{Id}/status has no {field}");
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningOn();

    [GeneratedRegex(@"CPS management endpoint listening on (http://[0-9.]+:\d+)")]
    private static partial Regex ManagementListeningOn();
}
