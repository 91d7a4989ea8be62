using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Stir.Encrypted.Tests.Support;

/// <summary>
/// A real HTTP/1.1 server on loopback, small enough to control every byte: status, headers, with or without
/// Content-Length, or no answer at all. Counts requests per path, so cache tests can see what reached it.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, Func<Reply>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Completes each time a request arrives (for tests that must wait until the client is committed).</summary>
    public event Action<string>? RequestReceived;

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Map(string path, Func<Reply> reply) => _routes[path] = reply;

    public void Map(string path, Reply reply) => _routes[path] = () => reply;

    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    /// <summary>Every request that arrived, as <c>METHOD path?query</c>, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var requestLine = head.Split(' ', 3);
                var path = requestLine[1];
                _requests.Enqueue($"{requestLine[0]} {path}");
                _hits.AddOrUpdate(path, 1, (_, n) => n + 1);
                RequestReceived?.Invoke(path);
                var reply = _routes.TryGetValue(path, out var route) ? route() : Reply.Status(404);
                if (reply.Hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                var sb = new StringBuilder().Append($"HTTP/1.1 {reply.StatusCode} {(reply.StatusCode == 200 ? "OK" : "Other")}\r\n");
                if (reply.ContentType is not null)
                {
                    sb.Append($"Content-Type: {reply.ContentType}\r\n");
                }

                if (reply.SendContentLength)
                {
                    sb.Append($"Content-Length: {reply.Body.Length}\r\n");
                }

                foreach (var (name, value) in reply.Headers)
                {
                    sb.Append($"{name}: {value}\r\n");
                }

                sb.Append("Connection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
                await stream.WriteAsync(reply.Body);
                await stream.FlushAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 16384)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }

            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^1] == '\n' && buffer[^2] == '\r' && buffer[^3] == '\n' && buffer[^4] == '\r')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. buffer]);
    }

    internal sealed record Reply(int StatusCode, string? ContentType, byte[] Body, bool SendContentLength = true, bool Hang = false)
    {
        public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

        public static Reply Status(int code) => new(code, "text/plain", Encoding.ASCII.GetBytes("no"));

        public static Reply Pem(string pem) => new(200, "application/pem-certificate-chain", Encoding.ASCII.GetBytes(pem));

        public static Reply NoAnswer() => new(200, null, [], Hang: true);
    }
}
