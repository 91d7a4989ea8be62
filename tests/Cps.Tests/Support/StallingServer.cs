using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// A server on loopback that accepts TCP connections and reads requests but never answers them, except the ones
/// <see cref="Answer"/> gives a canned answer to: the CPS (or directory) that is "down" in the way that hurts, a
/// process that still holds its port, or a network path that black-holes packets. A client bounded only by a
/// refused connection waits here until its own timeout, so tests of bounded time must use this, not a closed port.
/// </summary>
internal sealed class StallingServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly Task _accepting;
    private int _requests;

    public StallingServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Requests whose request line starts with a key get that full HTTP response; all others are held.</summary>
    public Dictionary<string, byte[]> Answer { get; } = new(StringComparer.Ordinal);

    /// <summary>How many requests arrived (answered or held).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>A complete HTTP/1.1 200 response with a JSON body.</summary>
    public static byte[] Json(string body) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_held)
            {
                _held.Add(client);
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[64 * 1024];
            var pending = new StringBuilder();
            while (!_stop.IsCancellationRequested)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                var text = pending.ToString();
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }

                Interlocked.Increment(ref _requests);
                var requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
                pending.Clear();
                var answer = Answer.FirstOrDefault(a => requestLine.StartsWith(a.Key, StringComparison.Ordinal)).Value;
                if (answer is null)
                {
                    // Hold the connection open, answer nothing (keep reading so the client's writes never block).
                    continue;
                }

                await stream.WriteAsync(answer, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }
}
