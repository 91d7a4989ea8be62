using System.Security.Cryptography;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The callee's half of spec/protocol.md §4–§6: trial-opens every blob of the bucket of one of its keys with
/// that key (a callee holding several keys for a number derives one index, and fetches one bucket, per key).
/// Blobs that are not for it (decoys, other calls') simply do not open, at the cost of one HPKE open each,
/// and say nothing about why.
/// </summary>
public static class BucketOpener
{
    /// <summary>Opens what can be opened.</summary>
    public static IReadOnlyList<OpenedBlob> Open(BlobIndex index, IReadOnlyList<ReadOnlyMemory<byte>> blobs, HpkePrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(key);
        var suite = BlobSealer.Suite;
        var info = index.HpkeInfo();
        var opened = new List<OpenedBlob>();
        byte[]? buffer = null;
        try
        {
            for (var b = 0; b < blobs.Count; b++)
            {
                var blob = blobs[b].Span;
                if (blob.Length <= suite.EncapsulatedKeySize + suite.TagSize)
                {
                    continue;
                }

                var size = suite.PlaintextSize(blob.Length);
                if (buffer is null || buffer.Length < size)
                {
                    buffer = new byte[size];
                }

                if (key.Kem != suite.Kem || !suite.TryOpen(key, info, [], blob, buffer.AsSpan(0, size)))
                {
                    continue;
                }

                try
                {
                    opened.Add(new OpenedBlob(b, BlobPlaintext.Decode(buffer.AsSpan(0, size)), null));
                }
                catch (BlobFormatException e)
                {
                    opened.Add(new OpenedBlob(b, [], e.Message));
                }

                CryptographicOperations.ZeroMemory(buffer.AsSpan(0, size));
            }
        }
        finally
        {
            if (buffer is not null)
            {
                CryptographicOperations.ZeroMemory(buffer);
            }
        }

        return opened;
    }
}
