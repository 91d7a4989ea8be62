using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>
/// A tiny DNS server on loopback for failure-mode tests: every answer is built by hand (<see cref="DnsMessage"/>),
/// so a test can send what no real server would, such as truncation, garbage, loops or thousands of records.
/// UDP and TCP (RFC 1035 §4.2.2 two-octet length prefix) share one port; TCP can be left off to test a refused
/// fallback.
/// </summary>
internal sealed class DnsFakeServer : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly TcpListener? _tcp;
    private readonly Func<DnsFakeQuery, byte[]?> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _udpQueries;
    private int _tcpQueries;

    private DnsFakeServer(UdpClient udp, TcpListener? tcp, Func<DnsFakeQuery, byte[]?> handler)
    {
        _udp = udp;
        _tcp = tcp;
        _handler = handler;
        EndPoint = (IPEndPoint)udp.Client.LocalEndPoint!;
        _loops.Add(Task.Run(UdpLoopAsync));
        if (tcp is not null)
        {
            _loops.Add(Task.Run(TcpLoopAsync));
        }
    }

    public IPEndPoint EndPoint { get; }

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    /// <summary>Starts a server; <paramref name="handler"/> returns the response bytes, or null to stay silent.</summary>
    public static DnsFakeServer Start(Func<DnsFakeQuery, byte[]?> handler, bool tcp = true)
    {
        for (var attempt = 0; ; attempt++)
        {
            var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            if (!tcp)
            {
                return new DnsFakeServer(udp, null, handler);
            }

            var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return new DnsFakeServer(udp, listener, handler);
            }
            catch (SocketException) when (attempt < 20)
            {
                // The UDP port's TCP twin is taken: try another port.
                udp.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp?.Stop();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task UdpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _udpQueries);
            var response = _handler(DnsFakeQuery.Parse(received.Buffer, tcp: false));
            if (response is not null)
            {
                await _udp.SendAsync(response, received.RemoteEndPoint, _stop.Token);
            }
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _tcp!.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeTcpAsync(client));
        }
    }

    private async Task ServeTcpAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var length = new byte[2];
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await stream.ReadExactlyAsync(length, _stop.Token);
                    var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                    await stream.ReadExactlyAsync(message, _stop.Token);
                    Interlocked.Increment(ref _tcpQueries);
                    var response = _handler(DnsFakeQuery.Parse(message, tcp: true));
                    if (response is null)
                    {
                        continue;
                    }

                    var framed = new byte[response.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)response.Length);
                    response.CopyTo(framed, 2);
                    await stream.WriteAsync(framed, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException or ObjectDisposedException)
            {
            }
        }
    }
}
