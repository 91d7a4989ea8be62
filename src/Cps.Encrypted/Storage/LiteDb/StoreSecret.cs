using System.Security.Cryptography;

namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// A 32-byte secret the store creates once and returns on every later open: the cover key or the index salt
/// (<see cref="IBlobStore.GetCoverKeyAsync"/>, <see cref="IBlobStore.GetIndexSaltAsync"/>).
/// </summary>
internal sealed class StoreSecret : IDisposable
{
    private readonly byte[] _value;
    private readonly StoreKeyKind _kind;

    private StoreSecret(StoreKeyKind kind, byte[] value)
    {
        _kind = kind;
        _value = value;
    }

    /// <summary>The secret (wiped when the store is disposed).</summary>
    public ReadOnlyMemory<byte> Value => _value;

    /// <summary>
    /// Reads the secret from <paramref name="path"/>, or creates it at random and makes it durable before
    /// returning it, so a secret is never handed out that a crash could replace.
    /// </summary>
    public static StoreSecret LoadOrCreate(string path, StoreKeyKind kind)
    {
        // Pinned so the GC never leaves copies of the secret behind in memory it moved it from.
        var value = GC.AllocateArray<byte>(StoreKeyFile.ValueLength, pinned: true);
        try
        {
            if (File.Exists(path))
            {
                var file = ReadSmallFile(path);
                try
                {
                    StoreKeyFile.Parse(path, file, kind, 0, value);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(file);
                }
            }
            else
            {
                // A temporary file left by a crash was never renamed, so its secret was never handed out.
                DurableFiles.Destroy(path + DurableFiles.TemporarySuffix);
                RandomNumberGenerator.Fill(value);
                var file = StoreKeyFile.Format(kind, 0, value);
                try
                {
                    DurableFiles.WriteAtomically(path, file);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(file);
                }
            }
            return new StoreSecret(kind, value);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(value);
            throw;
        }
    }

    /// <summary>Reads a file expected to be <see cref="StoreKeyFile.Length"/> bytes without trusting its size.</summary>
    internal static byte[] ReadSmallFile(string path)
    {
        using var stream = DurableFiles.Open(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > StoreKeyFile.Length)
        {
            throw new CorruptStoreFileException(path, $"length is {stream.Length} bytes, expected {StoreKeyFile.Length}");
        }
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_value);

    public override string ToString() => $"StoreSecret({_kind})";
}
