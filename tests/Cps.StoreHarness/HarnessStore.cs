using System.Security.Cryptography;
using System.Text;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.StoreHarness;

/// <summary>
/// What the harness and the crash test agree on: the store settings, the buckets written, and blob contents that
/// verify themselves (the id in clear at the start, then bytes derived from it), so that the test can tell a
/// sound blob from a corrupted one even for blobs whose acknowledgement the kill cut off.
/// </summary>
public static class HarnessStore
{
    public const int BlobSize = 512;
    public const int Buckets = 64;
    public static readonly TimeSpan EpochLength = TimeSpan.FromHours(1);
    public static readonly TimeSpan Retention = TimeSpan.FromSeconds(65);

    private const int IdField = 48;

    internal static LiteDbStoreOptions Options(string dataDirectory) => new()
    {
        DataDirectory = dataDirectory,
        EpochLength = EpochLength,
        BucketRetentionAfterEpoch = Retention,
        KeyPeriod = TimeSpan.FromSeconds(10),
        BatchWait = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>The content of the blob named <paramref name="id"/>.</summary>
    public static byte[] Content(string id)
    {
        var content = new byte[BlobSize];
        var idBytes = Encoding.ASCII.GetBytes(id);
        if (idBytes.Length > IdField)
        {
            throw new ArgumentException("Blob id too long.", nameof(id));
        }
        idBytes.CopyTo(content, 0);
        Span<byte> block = stackalloc byte[SHA256.HashSizeInBytes];
        var input = new byte[idBytes.Length + 4];
        idBytes.CopyTo(input, 0);
        for (int offset = IdField, counter = 0; offset < BlobSize; offset += block.Length, counter++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(idBytes.Length), counter);
            SHA256.HashData(input, block);
            block[..Math.Min(block.Length, BlobSize - offset)].CopyTo(content.AsSpan(offset));
        }
        return content;
    }

    /// <summary>Whether <paramref name="content"/> is exactly the content of the blob it names.</summary>
    public static bool IsSound(ReadOnlySpan<byte> content, out string id)
    {
        id = "";
        if (content.Length != BlobSize)
        {
            return false;
        }
        var end = content[..IdField].IndexOf((byte)0);
        if (end <= 0)
        {
            return false;
        }
        id = Encoding.ASCII.GetString(content[..end]);
        return content.SequenceEqual(Content(id));
    }
}
