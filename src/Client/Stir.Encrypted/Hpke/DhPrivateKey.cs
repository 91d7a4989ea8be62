namespace Stir.Encrypted.Hpke;

/// <summary>The private half of a DH key pair, as a DHKEM uses it: agreement and serialisation.</summary>
internal abstract class DhPrivateKey : IDisposable
{
    protected DhPrivateKey(byte[] publicKey)
    {
        PublicKey = publicKey;
    }

    /// <summary>SerializePublicKey(pk(skX)).</summary>
    public byte[] PublicKey { get; }

    /// <summary>
    /// DH(skX, pkY) for a serialised <paramref name="pkYm"/>; false when <paramref name="pkYm"/> fails the
    /// §7.1.4 validation or the output is not allowed (all-zero X25519 output, point at infinity).
    /// </summary>
    public abstract bool TryAgree(ReadOnlySpan<byte> pkYm, Span<byte> dh);

    /// <summary>SerializePrivateKey(skX) (RFC 9180 §7.1.2).</summary>
    public abstract void Serialize(Span<byte> destination);

    public abstract void Dispose();
}
