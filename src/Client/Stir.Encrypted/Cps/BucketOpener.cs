using System.Security.Cryptography;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The callee's half of spec/protocol.md §4–§6: trial-opens every blob of the call's bucket with every key the
/// callee holds for the called number. Per blob and key it costs one X25519 and one key schedule, then a 48-byte
/// AEAD open per stanza. Blobs that are not for it (decoys, other calls') simply do not open, and say nothing
/// about why.
/// </summary>
public static class BucketOpener
{
    /// <summary>Opens what can be opened with <paramref name="key"/>.</summary>
    public static IReadOnlyList<OpenedBlob> Open(BlobIndex index, IReadOnlyList<ReadOnlyMemory<byte>> blobs, HpkePrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Open(index, blobs, [key]);
    }

    /// <summary>
    /// Opens what can be opened with any of <paramref name="keys"/> (a callee holding several keys for the number:
    /// they all read the same bucket). A blob that opens is reported once, whichever key opened it.
    /// </summary>
    public static IReadOnlyList<OpenedBlob> Open(BlobIndex index, IReadOnlyList<ReadOnlyMemory<byte>> blobs, IReadOnlyList<HpkePrivateKey> keys)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
        }

        var info = index.HpkeInfo();
        var opened = new List<OpenedBlob>();
        byte[]? buffer = null;
        try
        {
            for (var b = 0; b < blobs.Count; b++)
            {
                var blob = blobs[b].Span;
                if (blob.Length < SizeClass.Overhead)
                {
                    continue;
                }

                var size = blob.Length - SizeClass.Overhead;
                if (buffer is null || buffer.Length < size)
                {
                    if (buffer is not null)
                    {
                        CryptographicOperations.ZeroMemory(buffer);
                    }

                    buffer = new byte[size];
                }

                var plaintext = buffer.AsSpan(0, size);
                var isOpen = false;
                for (var k = 0; k < keys.Count && !isOpen; k++)
                {
                    isOpen = TryOpen(keys[k], info, blob, plaintext);
                }

                if (!isOpen)
                {
                    continue;
                }

                try
                {
                    opened.Add(new OpenedBlob(b, BlobPlaintext.Decode(plaintext), null));
                }
                catch (BlobFormatException e)
                {
                    opened.Add(new OpenedBlob(b, [], e.Message));
                }

                CryptographicOperations.ZeroMemory(plaintext);
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

    // spec/protocol.md §4 "Opening": SetupBaseR(enc, skR, info) once, then each stanza at sequence number 0 until one
    // opens; its CEK must then open the body under aad = the whole header. Anything else is "not for me", without
    // saying which check failed (CONVENTIONS.md, third error channel). plaintext is zeroed when this returns false.
    private static bool TryOpen(HpkePrivateKey key, byte[] info, ReadOnlySpan<byte> blob, Span<byte> plaintext)
    {
        var suite = BlobSealer.Suite;
        if (key.Kem != suite.Kem || !suite.TrySetupRecipient(key, blob[..BlobSealer.EncSize], info, out var context))
        {
            plaintext.Clear();
            return false;
        }

        var header = blob[..BlobSealer.HeaderSize];
        Span<byte> cek = stackalloc byte[BlobSealer.ContentKeySize];
        try
        {
            using (context)
            {
                var found = false;
                for (var i = 0; i < BlobSealer.StanzaCount && !found; i++)
                {
                    found = context.TryOpen([], header.Slice(BlobSealer.EncSize + (i * BlobSealer.StanzaSize), BlobSealer.StanzaSize), cek);
                }

                if (!found)
                {
                    plaintext.Clear();
                    return false;
                }
            }

            Span<byte> nonce = stackalloc byte[12];
            using var cipher = suite.AeadAlgorithm.CreateCipher(cek);
            return cipher.TryOpen(nonce, header, blob[BlobSealer.HeaderSize..], plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(cek);
        }
    }
}
