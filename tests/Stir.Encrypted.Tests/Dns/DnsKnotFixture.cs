using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>
/// A real authoritative DNS server, Knot DNS (<c>knotd</c>), started on a free loopback port (UDP and TCP) with a
/// generated configuration and a temporary storage directory. It serves:
/// <list type="bullet">
/// <item><c>e164.arpa</c>: Vectors/enum/e164.arpa.zone, loaded exactly as it is;</item>
/// <item><c>enum.example.net</c>: the target of the vectors' non-terminal rule, plus a NAPTR RRset too big for
/// UDP;</item>
/// <item><see cref="ExportApex"/>: a zone written by <see cref="EnumZoneBuilder"/>.</item>
/// </list>
/// knotd runs in the foreground (no systemd, no daemonising), with its rundir, PID file, control socket and
/// databases in the temporary directory. As root it keeps the invoking user (no <c>user:</c> switch is needed,
/// and none is written), so it works the same in CI. It is killed on dispose.
/// </summary>
public sealed class DnsKnotFixture : IAsyncLifetime
{
    public const string ExportApex = "enum.stir.example.";
    public const string NonTerminalApex = "enum.example.net.";

    private readonly StringBuilder _log = new();
    private Process? _knot;
    private DirectoryInfo? _directory;

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>The zone the exporter wrote, as loaded into Knot.</summary>
    public string ExportedZone { get; private set; } = string.Empty;

    /// <summary>Mappings written by the exporter: CPS URL for each mapping name.</summary>
    public static Uri CpsA { get; } = new("https://cps-a.example.net/v1/");

    public static Uri DirA { get; } = new("https://dir-a.example.net/");

    public static Uri CpsB { get; } = new("https://cps-b.example.net/");

    public static Uri DirB { get; } = new("https://dir-b.example.net/keys/");

    public static Uri CpsC { get; } = new("https://cps-c.example.net/a!b/");

    public static Uri CpsD { get; } = new("https://cps-d.example.net/");

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

    public EnumResolverOptions Options(string apex)
    {
        var options = new EnumResolverOptions { EnumApex = apex, Timeout = TimeSpan.FromSeconds(3), CacheCapacity = 0 };
        options.NameServers.Add(EndPoint);
        return options;
    }

    public async Task InitializeAsync()
    {
        var knotd = Peers.Require("knotd", "knot");
        _directory = Directory.CreateTempSubdirectory("stir-knot-");
        var dir = _directory.FullName;
        Directory.CreateDirectory(Path.Combine(dir, "db"));

        var vectorZone = VectorFiles.PathOf("enum/e164.arpa.zone");
        var nonTerminalZone = Path.Combine(dir, "enum.example.net.zone");
        await File.WriteAllTextAsync(nonTerminalZone, NonTerminalZoneText());
        var exportZone = Path.Combine(dir, "export.zone");
        ExportedZone = ExportedZoneText();
        await File.WriteAllTextAsync(exportZone, ExportedZone);

        for (var attempt = 0; ; attempt++)
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
            var config = Path.Combine(dir, "knot.conf");
            await File.WriteAllTextAsync(config, Config(dir, vectorZone, nonTerminalZone, exportZone));
            try
            {
                Start(knotd, config);
                await WaitUntilAnsweringAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 2 && Log.Contains("cannot bind", StringComparison.OrdinalIgnoreCase))
            {
                // Someone took the port between the probe and knotd's bind: try another, with a fresh log.
                Stop();
                lock (_log)
                {
                    _log.Clear();
                }
            }
        }
    }

    public Task DisposeAsync()
    {
        Stop();
        try
        {
            _directory?.Delete(recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    private void Start(string knotd, string config)
    {
        var psi = new ProcessStartInfo(knotd)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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

    // Ready means every zone answers its SOA, over UDP, within a bound.
    private async Task WaitUntilAnsweringAsync()
    {
        var client = new LookupClient(new LookupClientOptions(EndPoint) { Timeout = TimeSpan.FromMilliseconds(300), Retries = 0, UseCache = false });
        var deadline = Stopwatch.StartNew();
        var pending = new List<string> { "e164.arpa.", NonTerminalApex, ExportApex };
        while (pending.Count > 0)
        {
            if (_knot!.HasExited)
            {
                throw new InvalidOperationException($"knotd exited with {_knot.ExitCode} before answering:\n{Log}");
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"knotd did not answer SOA queries for {string.Join(", ", pending)} within 20 s:\n{Log}");
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
        // A port free for both UDP and TCP at this moment; knotd binds both.
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

    private string Config(string dir, string vectorZone, string nonTerminalZone, string exportZone) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            # Generated by DnsKnotFixture for one test run.
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
              - domain: e164.arpa.
                file: "{vectorZone}"
              - domain: {NonTerminalApex}
                file: "{nonTerminalZone}"
              - domain: {ExportApex}
                file: "{exportZone}"
            """);

    // The domain the vectors' non-terminal rule points to, and an RRset of 60 records (over 6 KB) that does not fit
    // the 4096-octet EDNS buffer, so Knot sets TC over UDP and the resolver must ask again over TCP.
    private static string NonTerminalZoneText()
    {
        var sb = new StringBuilder();
        sb.Append("$TTL 300\n");
        sb.Append(CultureInfo.InvariantCulture, $"@ IN SOA ns.{NonTerminalApex} hostmaster.{NonTerminalApex} 1 3600 600 86400 300\n");
        sb.Append(CultureInfo.InvariantCulture, $"@ IN NS ns.{NonTerminalApex}\n");
        sb.Append("ns IN A 127.0.0.1\n");
        sb.Append("5.0.1.0.5.5.5.2.0.2.1 IN NAPTR 10 10 \"u\" \"E2U+sip\" \"!^(\\\\+1)(.*)$!sip:\\\\2@after-non-terminal.example.net!\" .\n");
        for (var i = 0; i < 60; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"9.9.1.0.5.5.5.2.0.2.1 IN NAPTR 100 {i} \"u\" \"E2U+x-stir-cps:https\" \"!^.*$!https://cps-{i:D2}.a-rather-long-host-name-to-fill-the-packet.example.net/v1/!\" .\n");
        }

        return sb.ToString();
    }

    // The exporter's zone: one number, a 1000-block with a longer number inside it (wildcard split), a range with
    // ragged ends whose CPS URL holds the delimiter '!'.
    private static string ExportedZoneText()
    {
        var builder = new EnumZoneBuilder(ExportApex) { Ttl = TimeSpan.FromMinutes(5) };
        builder.Add(TelephoneNumber.ParseE164("+12025550123"), CpsA, DirA);
        builder.Add(TelephoneNumberRange.Parse("12025551000+1000"), CpsB, DirB);
        builder.Add(TelephoneNumber.ParseE164("+120255510555"), CpsD, null);
        builder.Add(TelephoneNumberRange.Parse("12025552005+20"), CpsC, DirA);
        return builder.BuildZone("ns.example.net", "hostmaster.example.net", 1);
    }
}
