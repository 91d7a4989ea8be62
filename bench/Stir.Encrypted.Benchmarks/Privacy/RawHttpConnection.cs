using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Stir.Encrypted.Benchmarks.Privacy;

/// <summary>
/// One kept-alive HTTP/1.1 connection on a plain socket, as a timing prober would use: a request is written in one
/// send, and its time runs from just before that send to the last byte of the answer, with no client library,
/// connection pool or thread hop in between to blur it. Understands <c>Content-Length</c> and chunked bodies.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly Uri _baseUrl;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private Socket _socket;
    private int _start;
    private int _end;

    public RawHttpConnection(Uri baseUrl)
    {
        _baseUrl = baseUrl;
        _socket = Connect();
    }

    /// <summary>A GET of <paramref name="path"/> as bytes, built once so that building it is not timed.</summary>
    public byte[] Get(string path) => Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {_baseUrl.Authority}\r\n\r\n");

    /// <summary>A POST of <paramref name="body"/> as <c>application/octet-stream</c>.</summary>
    public byte[] Post(string pathAndQuery, byte[] body)
    {
        var head = Encoding.ASCII.GetBytes($"POST {pathAndQuery} HTTP/1.1\r\nHost: {_baseUrl.Authority}\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n");
        return [.. head, .. body];
    }

    /// <summary>Sends one request and reads its whole answer: the status, the body length and the time in microseconds.</summary>
    public (int Status, int BodyLength, double Microseconds) Send(byte[] request)
    {
        var started = Stopwatch.GetTimestamp();
        _socket.Send(request);
        var (status, length, close) = ReadResponse();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        if (close)
        {
            _socket.Dispose();
            _socket = Connect();
        }

        return (status, length, elapsed);
    }

    public void Dispose() => _socket.Dispose();

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Parse(_baseUrl.Host), _baseUrl.Port));
        _start = _end = 0;
        return socket;
    }

    private (int Status, int BodyLength, bool Close) ReadResponse()
    {
        int headerEnd;
        while ((headerEnd = IndexOf("\r\n\r\n"u8)) < 0)
        {
            Fill();
        }

        var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
        _start = headerEnd + 4;
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        long? contentLength = null;
        var chunked = false;
        var close = false;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                close = value.Equals("close", StringComparison.OrdinalIgnoreCase);
            }
        }

        var length = 0;
        if (chunked)
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf("\r\n"u8)) < 0)
                {
                    Fill();
                }

                var size = int.Parse(Encoding.ASCII.GetString(_buffer, _start, lineEnd - _start).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                _start = lineEnd + 2;
                Skip(size + 2);
                length += size;
                if (size == 0)
                {
                    break;
                }
            }
        }
        else
        {
            length = checked((int)(contentLength ?? 0));
            Skip(length);
        }

        return (status, length, close);
    }

    private void Skip(int count)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                Fill();
            }

            var take = Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private void Fill()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("the server closed the connection in the middle of an answer");
        }

        _end += read;
    }

    private int IndexOf(ReadOnlySpan<byte> marker)
    {
        var i = _buffer.AsSpan(_start, _end - _start).IndexOf(marker);
        return i < 0 ? -1 : _start + i;
    }
}
