namespace Stir.Encrypted.Hpke;

/// <summary>
/// An AEAD keyed for one HPKE context. <see cref="TryOpen"/> reports a failed tag with <c>false</c>, never
/// with an exception: a callee trial-opens every blob of a bucket, most of which are not for it.
/// </summary>
internal abstract class AeadCipher : IDisposable
{
    public const int TagSize = 16;

    /// <summary>Seal(key, nonce, aad, pt): writes <c>ciphertext || tag</c>, <see cref="TagSize"/> bytes longer than <paramref name="plaintext"/>.</summary>
    public abstract void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext);

    /// <summary>Open(key, nonce, aad, ct): false (and <paramref name="plaintext"/> zeroed) when the tag does not verify.</summary>
    public abstract bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext);

    public abstract void Dispose();

    protected static void CheckSizes(ReadOnlySpan<byte> nonce, int plaintextLength, int ciphertextLength)
    {
        if (nonce.Length != 12)
        {
            throw new ArgumentException("HPKE AEAD nonces are Nn = 12 bytes", nameof(nonce));
        }

        if (ciphertextLength != plaintextLength + TagSize)
        {
            throw new ArgumentException($"the ciphertext is the plaintext plus a {TagSize}-byte tag: expected {plaintextLength + TagSize} bytes, got {ciphertextLength}");
        }
    }
}
