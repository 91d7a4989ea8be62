namespace Stir.Encrypted.Cps;

/// <summary>A blob size the CPS accepts and how many blobs of that size every retrieval returns (spec/protocol.md §7, §9).</summary>
public sealed record SizeClass
{
    /// <summary>The smallest blob size the protocol allows (its header, <see cref="Overhead"/>, leaves 16 bytes of plaintext).</summary>
    public const int MinSize = 256;

    /// <summary>The largest blob size.</summary>
    public const int MaxSize = 65536;

    /// <summary>
    /// What a blob spends on encryption (spec/protocol.md §4): the 32-byte <c>enc</c>, <see cref="BlobSealer.StanzaCount"/>
    /// stanzas of <see cref="BlobSealer.StanzaSize"/> bytes and the body's 16-byte AEAD tag: 240 bytes.
    /// </summary>
    public const int Overhead = BlobSealer.HeaderSize + 16;

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

    /// <summary>The blob size in bytes (<c>enc ‖ stanzas ‖ body</c>).</summary>
    public int Size { get; }

    /// <summary>Blobs of this class in every retrieval; at most <c>Slots − 1</c> are real.</summary>
    public int Slots { get; }

    /// <summary>The plaintext size inside a blob of this class.</summary>
    public int PlaintextSize => Size - Overhead;

    /// <summary>The largest payload (L) a blob of this class carries.</summary>
    public int PayloadCapacity => PlaintextSize - BlobPlaintext.HeaderSize;
}
