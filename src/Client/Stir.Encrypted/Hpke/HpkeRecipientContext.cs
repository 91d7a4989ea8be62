using System.Diagnostics.CodeAnalysis;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// A recipient's HPKE context (RFC 9180 §5.2 <c>ContextR</c>): opens the sender's messages in sequence and
/// exports secrets. Not safe for concurrent use.
/// </summary>
public sealed class HpkeRecipientContext : HpkeContext
{
    internal HpkeRecipientContext(HpkeSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> baseNonce, ReadOnlySpan<byte> exporterSecret)
        : base(suite, key, baseNonce, exporterSecret)
    {
    }

    /// <summary>
    /// ContextR.Open(aad, ct) (RFC 9180 §5.2): false, without an exception and without saying why, when
    /// <paramref name="ciphertext"/> does not open at the current sequence number; the sequence number
    /// advances only when it opens.
    /// </summary>
    /// <exception cref="InvalidOperationException">The suite is export-only, or the sequence number is exhausted.</exception>
    public bool TryOpen(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, [NotNullWhen(true)] out byte[]? plaintext)
    {
        // A ciphertext shorter than a tag gets an empty buffer and does not open.
        var buffer = new byte[Math.Max(0, ciphertext.Length - Suite.TagSize)];
        if (TryOpen(aad, ciphertext, buffer))
        {
            plaintext = buffer;
            return true;
        }

        plaintext = null;
        return false;
    }

    /// <summary>
    /// ContextR.Open(aad, ct) into <paramref name="plaintext"/>, which must be exactly ciphertext − TagSize
    /// bytes; false (and <paramref name="plaintext"/> zeroed) when the message does not open, including when
    /// it is shorter than a tag.
    /// </summary>
    /// <exception cref="ArgumentException">The plaintext buffer has the wrong size or overlaps the ciphertext.</exception>
    /// <exception cref="InvalidOperationException">The suite is export-only, or the sequence number is exhausted.</exception>
    public bool TryOpen(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[12];
        var cipher = PrepareMessage(nonce);
        if (ciphertext.Length < Suite.TagSize)
        {
            return false;
        }

        if (plaintext.Length != ciphertext.Length - Suite.TagSize)
        {
            throw new ArgumentException($"the plaintext buffer must be ciphertext − {Suite.TagSize} = {ciphertext.Length - Suite.TagSize} bytes, got {plaintext.Length}", nameof(plaintext));
        }

        if (plaintext.Overlaps(ciphertext))
        {
            throw new ArgumentException("the plaintext buffer must not overlap the ciphertext", nameof(plaintext));
        }

        if (!cipher.TryOpen(nonce, aad, ciphertext, plaintext))
        {
            return false;
        }

        SequenceNumber++;
        return true;
    }
}
