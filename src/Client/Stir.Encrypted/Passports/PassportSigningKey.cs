using System.Security.Cryptography;
using Stir.Encrypted.Jose;

namespace Stir.Encrypted.Passports;

/// <summary>
/// The private P-256 key a PASSporT signer holds. A disposable holder: it owns its own copy of the key,
/// prints no key material, and frees it on <see cref="Dispose"/>.
/// </summary>
public sealed class PassportSigningKey : IDisposable
{
    private readonly ECDsa _key;
    private bool _disposed;

    private PassportSigningKey(ECDsa key)
    {
        _key = key;
    }

    /// <summary>A fresh random P-256 key.</summary>
    public static PassportSigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>
    /// Reads a P-256 private key from PEM: PKCS#8 (<c>BEGIN PRIVATE KEY</c>, as RFC 8225 A.1 prints it) or
    /// SEC 1 (<c>BEGIN EC PRIVATE KEY</c>, as RFC 8946 Appendix A does). Encrypted keys are not read.
    /// </summary>
    /// <exception cref="FormatException">The text holds no such key, or a key on another curve.</exception>
    public static PassportSigningKey FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (!Es256.IsP256(key))
            {
                throw new FormatException($"the PEM holds a {key.KeySize}-bit key on a curve other than P-256; ES256 needs P-256");
            }

            _ = key.ExportParameters(includePrivateParameters: true).D ?? throw new FormatException("the PEM holds a public key; signing needs the private key");
            return new PassportSigningKey(key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException($"no P-256 private key in the PEM text (expected BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY): {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Copies the private key out of <paramref name="key"/> (the caller keeps and disposes its own).</summary>
    /// <exception cref="ArgumentException">The key is not a P-256 private key.</exception>
    public static PassportSigningKey FromECDsa(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Es256.RequireP256(key, nameof(key));
        var parameters = key.ExportParameters(includePrivateParameters: true);
        try
        {
            return new PassportSigningKey(ECDsa.Create(parameters));
        }
        finally
        {
            if (parameters.D is not null)
            {
                CryptographicOperations.ZeroMemory(parameters.D);
            }
        }
    }

    /// <summary>The public half as a new key object (the caller disposes it).</summary>
    public ECDsa ExportPublicKey()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ECDsa.Create(_key.ExportParameters(includePrivateParameters: false));
    }

    /// <summary>The public half as PEM SubjectPublicKeyInfo (<c>BEGIN PUBLIC KEY</c>).</summary>
    public string ExportPublicKeyPem()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _key.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>Frees the key.</summary>
    public void Dispose()
    {
        _disposed = true;
        _key.Dispose();
    }

    /// <summary>Names the algorithm only; never any key material.</summary>
    public override string ToString() => "PassportSigningKey(ES256, P-256)";

    internal byte[] Sign(ReadOnlySpan<byte> signingInput)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Es256.Sign(_key, signingInput);
    }
}
