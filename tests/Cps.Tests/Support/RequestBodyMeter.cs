using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Counts the request body bytes the application actually read (server side), so tests can prove that a
/// request was refused before its body was read. The in-memory test client always sends the whole body, so
/// the client side cannot tell.
/// </summary>
internal sealed class RequestBodyMeter : IStartupFilter
{
    private long _bytesRead;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            context.Request.Body = new CountingReadStream(context.Request.Body, this);
            await nextMiddleware(context);
        });
        next(app);
    };

    private sealed class CountingReadStream(Stream inner, RequestBodyMeter meter) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Count(await inner.ReadAsync(buffer, cancellationToken));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            Interlocked.Add(ref meter._bytesRead, read);
            return read;
        }
    }
}
