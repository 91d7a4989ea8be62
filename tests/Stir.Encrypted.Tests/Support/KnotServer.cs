using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;

namespace Stir.Encrypted.Tests.Support;

/// <summary>
/// Knot DNS (<c>knotd</c>) serving given zone files on a free loopback port, in the foreground, with everything in a
/// temporary directory; ready once every zone answers its SOA. The same configuration as
/// <c>Dns/DnsKnotFixture</c> (which serves its fixed zones to a whole collection); this one serves a test's own
/// zones, such as the directory's export.
/// </summary>
internal sealed class KnotServer : IDisposable
{
    private readonly StringBuilder _log = new();
    private readonly DirectoryInfo _directory;
    private Process? _knot;

    private KnotServer(DirectoryInfo directory) => _directory = directory;

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts knotd with <paramref name="zones"/> (apex, master-file text); fails with knotd's log if a zone does not load.</summary>
    public static async Task<KnotServer> StartAsync(IReadOnlyDictionary<string, string> zones)
    {
        var knotd = Peers.Require("knotd", "knot");
        var server = new KnotServer(Directory.CreateTempSubdirectory("stir-knot-"));
        try
        {
            var dir = server._directory.FullName;
            Directory.CreateDirectory(Path.Combine(dir, "db"));
            var files = new Dictionary<string, string>();
            var i = 0;
            foreach (var (apex, text) in zones)
            {
                var file = Path.Combine(dir, $"zone{i++}.zone");
                await File.WriteAllTextAsync(file, text);
                files[apex] = file;
            }

            for (var attempt = 0; ; attempt++)
            {
                server.EndPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
                var config = Path.Combine(dir, "knot.conf");
                await File.WriteAllTextAsync(config, server.Config(dir, files));
                try
                {
                    server.Start(knotd, config);
                    await server.WaitUntilAnsweringAsync([.. zones.Keys]);
                    return server;
                }
                catch (InvalidOperationException) when (attempt < 2 && server.Log.Contains("cannot bind", StringComparison.OrdinalIgnoreCase))
                {
                    server.Stop();
                    lock (server._log)
                    {
                        server._log.Clear();
                    }
                }
            }
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Stop();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Start(string knotd, string config)
    {
        var psi = new ProcessStartInfo(knotd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(config);
        _knot = Process.Start(psi) ?? throw new InvalidOperationException("could not start knotd");
        _knot.OutputDataReceived += (_, e) => Append(e.Data);
        _knot.ErrorDataReceived += (_, e) => Append(e.Data);
        _knot.BeginOutputReadLine();
        _knot.BeginErrorReadLine();
    }

    private void Stop()
    {
        if (_knot is { HasExited: false })
        {
            _knot.Kill(entireProcessTree: true);
            _knot.WaitForExit(5000);
        }

        _knot?.Dispose();
        _knot = null;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilAnsweringAsync(List<string> pending)
    {
        var client = new LookupClient(new LookupClientOptions(EndPoint) { Timeout = TimeSpan.FromMilliseconds(300), Retries = 0, UseCache = false });
        var deadline = Stopwatch.StartNew();
        while (pending.Count > 0)
        {
            if (_knot!.HasExited)
            {
                throw new InvalidOperationException($"knotd exited with {_knot.ExitCode} before answering:\n{Log}");
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"knotd did not answer SOA queries for {string.Join(", ", pending)} within 20 s (a zone that does not load is logged):\n{Log}");
            }

            try
            {
                var response = await client.QueryAsync(pending[0], QueryType.SOA);
                if (!response.HasError && response.Answers.Count > 0)
                {
                    pending.RemoveAt(0);
                    continue;
                }
            }
            catch (DnsResponseException)
            {
            }

            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    // semantic-checks on: a zone Knot would refuse to serve is a failed start, not a silent empty zone.
    private string Config(string dir, Dictionary<string, string> files)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"""
            server:
                rundir: "{dir}"
                pidfile: "{dir}/knot.pid"
                listen: {EndPoint.Address}@{EndPoint.Port}
                udp-workers: 1
                tcp-workers: 1
                background-workers: 1
            database:
                storage: "{dir}/db"
            control:
                listen: "{dir}/knot.sock"
            log:
              - target: stderr
                any: info
            template:
              - id: default
                storage: "{dir}"
                semantic-checks: on
                zonefile-sync: -1
                zonefile-load: whole
                journal-content: none
            zone:

            """);
        foreach (var (apex, file) in files)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  - domain: {apex}\n    file: \"{file}\"\n");
        }

        return sb.ToString();
    }
}
