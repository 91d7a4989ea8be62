namespace Stir.Encrypted.Hpke;

/// <summary>
/// A sender's HPKE context (RFC 9180 §5.2 <c>ContextS</c>): seals messages in sequence to the recipient
/// whose key it was set up with, and exports secrets. Send <see cref="EncapsulatedKey"/> with the first
/// message. Not safe for concurrent use: the sequence number is the state that keeps nonces unique.
/// </summary>
public sealed class HpkeSenderContext : HpkeContext
{
    private readonly byte[] _enc;

    internal HpkeSenderContext(HpkeSuite suite, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> key, ReadOnlySpan<byte> baseNonce, ReadOnlySpan<byte> exporterSecret)
        : base(suite, key, baseNonce, exporterSecret)
    {
        _enc = enc.ToArray();
    }

    /// <summary><c>enc</c>: the encapsulated key the recipient needs to set up its context (Nenc bytes).</summary>
    public ReadOnlySpan<byte> EncapsulatedKey => _enc;

    /// <summary>
    /// ContextS.Seal(aad, pt) (RFC 9180 §5.2): encrypts <paramref name="plaintext"/> at the current sequence
    /// number, then increments it. The result is <see cref="HpkeSuite.TagSize"/> bytes longer.
    /// </summary>
    /// <exception cref="InvalidOperationException">The suite is export-only, or the sequence number is exhausted.</exception>
    public byte[] Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = new byte[plaintext.Length + Suite.TagSize];
        Seal(aad, plaintext, ciphertext);
        return ciphertext;
    }

    /// <summary>ContextS.Seal(aad, pt) into <paramref name="ciphertext"/>, which must be exactly plaintext + TagSize bytes.</summary>
    /// <exception cref="ArgumentException">The ciphertext buffer has the wrong size or overlaps the plaintext.</exception>
    /// <exception cref="InvalidOperationException">The suite is export-only, or the sequence number is exhausted.</exception>
    public void Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        if (ciphertext.Length != plaintext.Length + Suite.TagSize)
        {
            throw new ArgumentException($"the ciphertext buffer must be plaintext + {Suite.TagSize} = {plaintext.Length + Suite.TagSize} bytes, got {ciphertext.Length}", nameof(ciphertext));
        }

        if (plaintext.Overlaps(ciphertext))
        {
            throw new ArgumentException("the ciphertext buffer must not overlap the plaintext", nameof(ciphertext));
        }

        Span<byte> nonce = stackalloc byte[12];
        var cipher = PrepareMessage(nonce);
        cipher.Seal(nonce, aad, plaintext, ciphertext);
        SequenceNumber++;
    }
}
