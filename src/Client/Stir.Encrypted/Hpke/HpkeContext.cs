using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// What sender and recipient contexts share (RFC 9180 §5.2, §5.3): the AEAD keyed with <c>key</c>, the
/// <c>base_nonce</c>, the sequence number and the <c>exporter_secret</c>. Dispose wipes them.
/// </summary>
public abstract class HpkeContext : IDisposable
{
    private readonly AeadCipher? _cipher;

    // Pinned so that the garbage collector leaves no copies of the secrets; wiped on Dispose.
    private readonly byte[] _baseNonce;
    private readonly byte[] _exporterSecret;
    private bool _disposed;

    private protected HpkeContext(HpkeSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> baseNonce, ReadOnlySpan<byte> exporterSecret)
    {
        Suite = suite;
        _cipher = suite.IsExportOnly ? null : suite.AeadAlgorithm.CreateCipher(key);
        _baseNonce = GC.AllocateArray<byte>(baseNonce.Length, pinned: true);
        baseNonce.CopyTo(_baseNonce);
        _exporterSecret = GC.AllocateArray<byte>(exporterSecret.Length, pinned: true);
        exporterSecret.CopyTo(_exporterSecret);
    }

    /// <summary>The suite the context was set up with.</summary>
    public HpkeSuite Suite { get; }

    /// <summary>
    /// The sequence number of the next message (RFC 9180 §5.2). It is 64 bits wide; sealing or opening at
    /// 2^64 − 1 fails rather than wrap (the RFC allows a counter shorter than the 96-bit nonce).
    /// </summary>
    public ulong SequenceNumber { get; internal set; }

    /// <summary>
    /// Export(exporter_context, L) (RFC 9180 §5.3): <paramref name="length"/> bytes of secret bound to
    /// this context and <paramref name="exporterContext"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not in 1..255·Nh.</exception>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length)
    {
        var max = Suite.KdfAlgorithm.MaxExpandLength;
        if (length < 1 || length > max)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Export produces 1 to {max} bytes with {Suite.Kdf}");
        }

        var exported = new byte[length];
        Export(exporterContext, exported);
        return exported;
    }

    /// <summary>Export(exporter_context, L) into <paramref name="destination"/>, L = its length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The destination is empty or longer than 255·Nh.</exception>
    public void Export(ReadOnlySpan<byte> exporterContext, Span<byte> destination)
    {
        ThrowIfDisposed();

        // RFC 9180 §5.3: LabeledExpand(exporter_secret, "sec", exporter_context, L)
        Suite.KdfAlgorithm.LabeledExpand(Suite.SuiteId, _exporterSecret, "sec"u8, exporterContext, destination);
    }

    /// <summary>Wipes the context's secrets.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Wipes the secrets.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cipher?.Dispose();
        CryptographicOperations.ZeroMemory(_baseNonce);
        CryptographicOperations.ZeroMemory(_exporterSecret);
    }

    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    // RFC 9180 §5.2: the AEAD operation at ComputeNonce(seq); IncrementSeq is the caller's, after success.
    private protected AeadCipher PrepareMessage(Span<byte> nonce)
    {
        ThrowIfDisposed();
        Suite.ThrowIfExportOnly();

        // IncrementSeq(): "if self.seq >= (1 << (8*Nn)) - 1: raise MessageLimitReachedError", with our
        // 64-bit counter. Checked before the AEAD runs so that no message is produced that could not be counted.
        if (SequenceNumber == ulong.MaxValue)
        {
            throw new InvalidOperationException("MessageLimitReachedError: the context's sequence number would overflow (RFC 9180 §5.2); set up a new context");
        }

        KeySchedule.ComputeNonce(_baseNonce, SequenceNumber, nonce);
        return _cipher!;
    }
}
