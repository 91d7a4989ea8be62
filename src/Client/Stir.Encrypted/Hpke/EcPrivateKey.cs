using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// A P-256 or P-521 private key held by the platform (<see cref="ECDiffieHellman"/>, OpenSSL on Linux).
/// Agreements are serialised with a lock: instances of the platform type are not documented as safe for
/// concurrent use, and a callee may trial-open blobs on several threads with one key.
/// </summary>
internal sealed class EcPrivateKey : DhPrivateKey
{
    private readonly EcCurve _curve;
    private readonly ECDiffieHellman _key;
    private readonly Lock _lock = new();
    private bool _disposed;

    private EcPrivateKey(EcCurve curve, ECDiffieHellman key, byte[] publicKey)
        : base(publicKey)
    {
        _curve = curve;
        _key = key;
    }

    /// <summary>
    /// DeserializePrivateKey (RFC 9180 §7.1.2): the scalar must be in [1, n − 1]; the caller checks that
    /// first, so that a bad key gets a precise message rather than the platform's.
    /// </summary>
    public static EcPrivateKey Create(EcCurve curve, ReadOnlySpan<byte> skm)
    {
        if (!curve.IsValidScalar(skm))
        {
            throw new ArgumentException($"{curve.Name} private keys are scalars in [1, n − 1]", nameof(skm));
        }

        var d = skm.ToArray();
        try
        {
            // The platform computes Q = d·G when only D is given.
            var key = ECDiffieHellman.Create(new ECParameters { Curve = curve.Curve, D = d });
            return new EcPrivateKey(curve, key, PublicKeyOf(key));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>A fresh random key pair (GenerateKeyPair), for ephemeral keys.</summary>
    public static ECDiffieHellman Generate(EcCurve curve) => ECDiffieHellman.Create(curve.Curve);

    /// <summary>SerializePublicKey: 0x04 || X || Y, each coordinate left-padded to the field size.</summary>
    public static byte[] PublicKeyOf(ECDiffieHellman key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        var size = (key.KeySize + 7) / 8;
        var point = new byte[1 + (2 * size)];
        point[0] = 0x04;
        q.X.AsSpan().CopyTo(point.AsSpan(1 + size - q.X!.Length, q.X.Length));
        q.Y.AsSpan().CopyTo(point.AsSpan(1 + size + size - q.Y!.Length, q.Y.Length));
        return point;
    }

    /// <summary>
    /// DH(sk, pkY) with a platform key: the X coordinate of sk·pkY, Ndh bytes. False when
    /// <paramref name="pkYm"/> fails the §7.1.4 validation or the platform refuses the agreement.
    /// </summary>
    public static bool TryAgree(EcCurve curve, ECDiffieHellman privateKey, ReadOnlySpan<byte> pkYm, Span<byte> dh)
    {
        if (dh.Length != curve.FieldSize)
        {
            throw new ArgumentException($"{curve.Name} DH outputs are {curve.FieldSize} bytes", nameof(dh));
        }

        if (curve.CheckPublicKey(pkYm) is not null)
        {
            return false;
        }

        byte[]? secret = null;
        try
        {
            using var peer = ImportPublicKey(curve, pkYm);
            using var peerPublicKey = peer.PublicKey;
            secret = privateKey.DeriveRawSecretAgreement(peerPublicKey);
            if (secret.Length != dh.Length)
            {
                return false;
            }

            secret.CopyTo(dh);
            return true;
        }
        catch (CryptographicException)
        {
            // Only reachable through a platform refusal the checks above did not foresee; a bad point
            // from outside is "does not open", never an exception.
            return false;
        }
        finally
        {
            if (secret is not null)
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }
    }

    /// <summary>The platform object for a point that <see cref="EcCurve.CheckPublicKey"/> accepted.</summary>
    public static ECDiffieHellman ImportPublicKey(EcCurve curve, ReadOnlySpan<byte> point) =>
        ECDiffieHellman.Create(new ECParameters
        {
            Curve = curve.Curve,
            Q = new ECPoint
            {
                X = point.Slice(1, curve.FieldSize).ToArray(),
                Y = point.Slice(1 + curve.FieldSize, curve.FieldSize).ToArray(),
            },
        });

    public override bool TryAgree(ReadOnlySpan<byte> pkYm, Span<byte> dh)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return TryAgree(_curve, _key, pkYm, dh);
        }
    }

    // RFC 9180 §7.1.2 SerializePrivateKey: the scalar as a big-endian field element of Nsk bytes.
    public override void Serialize(Span<byte> destination)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var d = _key.ExportParameters(includePrivateParameters: true).D!;
            try
            {
                destination[..(_curve.FieldSize - d.Length)].Clear();
                d.CopyTo(destination[(_curve.FieldSize - d.Length)..]);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(d);
            }
        }
    }

    public override void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _key.Dispose();
        }
    }
}
