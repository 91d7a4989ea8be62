using System.Security.Cryptography.X509Certificates;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Cps;

/// <summary>
/// What a storer signs its stores with when a CPS requires storer authentication (spec/protocol.md §8 "Storer
/// authentication"): a STIR certificate chain and the P-256 key of its end entity. The certificate identifies the
/// storer to the CPS; it need not cover any number, and the token names none.
/// </summary>
public sealed class CpsStorerCredential
{
    /// <summary>A credential from <paramref name="key"/> (not owned: the caller disposes it) and its certificate chain.</summary>
    /// <param name="key">The private key of <paramref name="chain"/>[0].</param>
    /// <param name="chain">The certificate chain, end entity first (the trust anchor may be left out).</param>
    /// <exception cref="ArgumentException">The chain is empty or too long, or its end entity is not the key's certificate.</exception>
    public CpsStorerCredential(PassportSigningKey key, IReadOnlyList<X509Certificate2> chain)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count is 0 or > Certificates.CertificateChain.MaxCertificates)
        {
            throw new ArgumentException($"a chain has 1 to {Certificates.CertificateChain.MaxCertificates} certificates, got {chain.Count}", nameof(chain));
        }

        using (var publicKey = key.ExportPublicKey())
        using (var certificateKey = chain[0].GetECDsaPublicKey())
        {
            if (certificateKey is null || !certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey.ExportSubjectPublicKeyInfo()))
            {
                throw new ArgumentException($"the signing key is not the key of {chain[0].Subject} (the first certificate of the chain)", nameof(key));
            }
        }

        Key = key;
        X5c = [.. chain.Select(c => Convert.ToBase64String(c.RawData))];
        Subject = chain[0].Subject;
    }

    internal PassportSigningKey Key { get; }

    /// <summary>The chain as a JWS <c>x5c</c> array (RFC 7515 §4.1.6): base64 DER, end entity first.</summary>
    internal IReadOnlyList<string> X5c { get; }

    internal string Subject { get; }

    /// <summary>Names the certificate's subject; no key material.</summary>
    public override string ToString() => $"CpsStorerCredential({Subject})";
}
