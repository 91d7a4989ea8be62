namespace Stir.Encrypted.Hpke;

/// <summary>A long-lived X25519 private key: the clamped scalar in guarded memory (see <see cref="X25519"/>).</summary>
internal sealed class X25519PrivateKey : DhPrivateKey
{
    private readonly SodiumSecret _scalar;

    private X25519PrivateKey(SodiumSecret scalar, byte[] publicKey)
        : base(publicKey)
    {
        _scalar = scalar;
    }

    /// <summary>DeserializePrivateKey (RFC 9180 §7.1.2): clamps its input, so any 32 bytes are a key.</summary>
    public static X25519PrivateKey Create(ReadOnlySpan<byte> skm)
    {
        Span<byte> k = stackalloc byte[X25519.ScalarSize];
        try
        {
            skm.CopyTo(k);
            X25519.Clamp(k);
            var publicKey = new byte[X25519.PointSize];
            X25519.PublicKeyOf(k, publicKey);
            return new X25519PrivateKey(SodiumSecret.Create(k), publicKey);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(k);
        }
    }

    public override bool TryAgree(ReadOnlySpan<byte> pkYm, Span<byte> dh)
    {
        if (pkYm.Length != X25519.PointSize)
        {
            return false;
        }

        var added = false;
        try
        {
            _scalar.DangerousAddRef(ref added);
            return X25519.TryAgree(_scalar.UnsafeSpan, pkYm, dh);
        }
        finally
        {
            if (added)
            {
                _scalar.DangerousRelease();
            }
        }
    }

    // RFC 9180 §7.1.2: SerializePrivateKey MUST clamp its output; the scalar is stored clamped.
    public override void Serialize(Span<byte> destination)
    {
        var added = false;
        try
        {
            _scalar.DangerousAddRef(ref added);
            _scalar.UnsafeSpan.CopyTo(destination);
        }
        finally
        {
            if (added)
            {
                _scalar.DangerousRelease();
            }
        }
    }

    public override void Dispose() => _scalar.Dispose();
}
