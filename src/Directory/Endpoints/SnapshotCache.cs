using System.IO.Compression;
using Stir.Encrypted.DirectoryService.Storage;

namespace Stir.Encrypted.DirectoryService.Endpoints;

/// <summary>
/// The gzip snapshot document of the current version, built once per version: the snapshot changes only when a
/// publication is accepted, and every client of a deployment fetches the same bytes.
/// </summary>
internal sealed class SnapshotCache : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot? _current;

    public async Task<Snapshot> GetAsync(IKeyRecordStore store, CancellationToken cancellationToken)
    {
        var status = await store.StatusAsync(cancellationToken);
        if (Volatile.Read(ref _current) is { } cached && cached.Version == status.Version)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await store.SnapshotAsync(cancellationToken);
            if (_current is { } other && other.Version == snapshot.Version)
            {
                return other;
            }

            var json = DirectoryDocuments.Snapshot(snapshot);
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(json);
            }

            var built = new Snapshot(snapshot.Version, buffer.ToArray());
            Volatile.Write(ref _current, built);
            return built;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>A snapshot document of one version, gzip-compressed.</summary>
    internal sealed record Snapshot(long Version, byte[] Gzip)
    {
        /// <summary>The strong validator: the version, quoted (RFC 9110 §8.8.3).</summary>
        public string ETag => $"\"{Version}\"";
    }
}
