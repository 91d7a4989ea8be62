using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Stir.Encrypted.Cps.Tests.Storage;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Real <c>redis-server</c> processes on free loopback ports, in a temporary directory, killed on
/// <see cref="Dispose"/> (and at the latest when the test process exits): a 3-primary cluster (<see cref="StartClusterAsync"/>)
/// or one standalone server with given settings (<see cref="StartStandaloneAsync"/>). Persistence is off unless a test
/// turns it on. A missing <c>redis-server</c> fails the test (eng/test and .ci/run install it).
/// </summary>
internal sealed class RedisServers : IDisposable
{
    private static readonly Lazy<Task<RedisServers>> SharedCluster = new(() => StartClusterAsync(3));

    private readonly TemporaryDirectory _directory = new();
    private readonly List<(int Port, Process Process)> _nodes = [];
    private int _disposed;

    private RedisServers()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>One cluster for the whole test run (each test keeps to its own key prefix).</summary>
    public static Task<RedisServers> Shared => SharedCluster.Value;

    public IReadOnlyList<int> Ports => [.. _nodes.Select(node => node.Port)];

    /// <summary>A StackExchange.Redis configuration string naming every node, with short timeouts.</summary>
    public string Configuration => string.Join(",", _nodes.Select(node => $"127.0.0.1:{node.Port}")) + ",connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    /// <summary>The same nodes with 10-second timeouts, for tests that never stop a server.</summary>
    public string PatientConfiguration => string.Join(",", _nodes.Select(node => $"127.0.0.1:{node.Port}")) + ",connectTimeout=10000,syncTimeout=10000,asyncTimeout=10000";

    /// <summary>Starts <paramref name="primaries"/> cluster-enabled servers and joins them into one cluster without replicas.</summary>
    public static async Task<RedisServers> StartClusterAsync(int primaries)
    {
        var servers = new RedisServers();
        try
        {
            for (var i = 0; i < primaries; i++)
            {
                servers.StartNode(
                    "--cluster-enabled", "yes",
                    "--cluster-node-timeout", "2000",
                    // A lost primary takes only its own slots down; the others keep serving theirs.
                    "--cluster-require-full-coverage", "no",
                    "--cluster-config-file", "nodes.conf");
            }
            foreach (var (port, _) in servers._nodes)
            {
                await WaitForPingAsync(port);
            }
            var create = new List<string> { "--cluster", "create" };
            create.AddRange(servers._nodes.Select(node => $"127.0.0.1:{node.Port}"));
            create.AddRange(["--cluster-replicas", "0", "--cluster-yes"]);
            var (code, output) = await RunCliAsync(create);
            if (code != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed ({code}): {output}");
            }
            foreach (var (port, _) in servers._nodes)
            {
                await WaitUntilAsync(async () => (await RunCliAsync(["-p", port.ToString(), "cluster", "info"])).Output.Contains("cluster_state:ok", StringComparison.Ordinal), $"node {port} to see the cluster ok");
            }
            return servers;
        }
        catch
        {
            servers.Dispose();
            throw;
        }
    }

    /// <summary>Starts one standalone server with the given extra settings (e.g. <c>--save "60 1"</c>).</summary>
    public static async Task<RedisServers> StartStandaloneAsync(params string[] settings)
    {
        var servers = new RedisServers();
        try
        {
            servers.StartNode(settings);
            await WaitForPingAsync(servers._nodes[0].Port);
            return servers;
        }
        catch
        {
            servers.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILLs node <paramref name="index"/>: no shutdown, no goodbye to the cluster.</summary>
    public void Kill(int index)
    {
        var process = _nodes[index].Process;
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(5000);
        }
    }

    /// <summary>Runs <c>redis-cli</c> against node <paramref name="index"/>; returns its output.</summary>
    public async Task<string> CliAsync(int index, params string[] arguments)
    {
        var (code, output) = await RunCliAsync(["-p", _nodes[index].Port.ToString(), .. arguments]);
        return code == 0 ? output : throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} failed ({code}): {output}");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var (_, process) in _nodes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.Dispose();
        }
        _directory.Dispose();
    }

    private void StartNode(params string[] settings)
    {
        var port = FreePortPair();
        var directory = Path.Combine(_directory.Path, port.ToString());
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo(RedisServerPath())
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory, .. settings])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _nodes.Add((port, process));
    }

    private static string RedisServerPath()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/usr/sbin"))
        {
            var path = Path.Combine(directory, "redis-server");
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new InvalidOperationException("redis-server is not installed (eng/test installs the Debian package redis-server when run as root: apt-get install redis-server)");
    }

    // The cluster bus listens on port + 10000, so both must be free.
    private static int FreePortPair()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 40000);
            if (IsFree(port) && IsFree(port + 10000))
            {
                return port;
            }
        }
        throw new InvalidOperationException("no free loopback port pair for redis-server");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static Task WaitForPingAsync(int port) =>
        WaitUntilAsync(async () => (await RunCliAsync(["-p", port.ToString(), "ping"])).Output.Contains("PONG", StringComparison.Ordinal), $"redis-server on port {port} to answer");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited 30 s for {what}");
            }
            await Task.Delay(100);
        }
    }

    private static async Task<(int Code, string Output)> RunCliAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("redis-cli")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
