namespace Stir.Encrypted.Cps;

/// <summary>A blob size the CPS accepts and how many blobs of that size every retrieval returns (spec/protocol.md §7, §9).</summary>
public sealed record SizeClass
{
    /// <summary>The smallest blob size: <c>enc</c>, the AEAD tag, the plaintext header and a minimal PASSporT.</summary>
    public const int MinSize = 256;

    /// <summary>The largest blob size.</summary>
    public const int MaxSize = 65536;

    /// <summary>HPKE overhead of a blob: 32-byte X25519 <c>enc</c> plus the 16-byte AEAD tag.</summary>
    public const int Overhead = 32 + 16;

    /// <summary>Creates a size class.</summary>
    public SizeClass(int size, int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slots, 256);
        Size = size;
        Slots = slots;
    }

    /// <summary>The blob size in bytes (<c>enc ‖ ct</c>).</summary>
    public int Size { get; }

    /// <summary>Blobs of this class in every retrieval; at most <c>Slots − 1</c> are real.</summary>
    public int Slots { get; }

    /// <summary>The plaintext size inside a blob of this class.</summary>
    public int PlaintextSize => Size - Overhead;

    /// <summary>The largest payload (L) a blob of this class carries.</summary>
    public int PayloadCapacity => PlaintextSize - BlobPlaintext.HeaderSize;
}
