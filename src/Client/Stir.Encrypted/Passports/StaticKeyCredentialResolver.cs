using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using Stir.Encrypted.Jose;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Passports;

/// <summary>
/// A resolver that ignores <c>x5u</c>/<c>x5c</c> and answers with one configured public key, covering a
/// configured set of numbers or all of them. For tests, tools (<c>stir passport verify --public-key</c>)
/// and the published example keys of RFC 8225 and RFC 8946; it validates no certificate chain, so it
/// establishes no authority by itself.
/// </summary>
public sealed class StaticKeyCredentialResolver : IPassportCredentialResolver, IDisposable
{
    private readonly Credential _credential;

    /// <summary>
    /// Answers with a copy of <paramref name="publicKey"/>. <paramref name="coveredNumbers"/> null means every
    /// number is covered; otherwise only those.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not a P-256 key.</exception>
    public StaticKeyCredentialResolver(ECDsa publicKey, IEnumerable<TelephoneNumber>? coveredNumbers = null, string subject = "static public key")
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        Es256.RequireP256(publicKey, nameof(publicKey));
        var copy = ECDsa.Create(publicKey.ExportParameters(includePrivateParameters: false));
        _credential = new Credential(copy, coveredNumbers?.ToHashSet(), subject);
    }

    /// <summary>
    /// Reads the key from PEM: a <c>BEGIN PUBLIC KEY</c> (SubjectPublicKeyInfo) or a <c>BEGIN CERTIFICATE</c>
    /// (its public key is used; the certificate is not validated and its TNAuthList is not consulted).
    /// </summary>
    /// <exception cref="FormatException">The text holds no P-256 public key or certificate.</exception>
    public static StaticKeyCredentialResolver FromPem(string pem, IEnumerable<TelephoneNumber>? coveredNumbers = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        string subject;
        ECDsa? key = null;
        try
        {
            if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                using var certificate = X509Certificate2.CreateFromPem(pem);
                key = certificate.GetECDsaPublicKey() ?? throw new FormatException("the certificate's key is not an EC key");
                subject = $"certificate {certificate.Subject}";
            }
            else
            {
                key = ECDsa.Create();
                key.ImportFromPem(pem);
                subject = "static public key";
            }

            if (!Es256.IsP256(key))
            {
                throw new FormatException($"the key is {key.KeySize} bits on a curve other than P-256; ES256 needs P-256");
            }

            return new StaticKeyCredentialResolver(key, coveredNumbers, subject);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new FormatException($"no P-256 public key or certificate in the PEM text: {e.Message}", e);
        }
        finally
        {
            key?.Dispose();
        }
    }

    /// <inheritdoc/>
    public ValueTask<PassportCredentialResult> ResolveAsync(PassportHeader header, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(header);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(PassportCredentialResult.Success(_credential));
    }

    /// <summary>Frees the key copy.</summary>
    public void Dispose() => _credential.PublicKey.Dispose();

    private sealed class Credential(ECDsa publicKey, HashSet<TelephoneNumber>? covered, string subject) : IPassportCredential
    {
        public ECDsa PublicKey { get; } = publicKey;

        public string Subject { get; } = subject;

        public bool Covers(TelephoneNumber tn, [NotNullWhen(false)] out string? reason)
        {
            if (covered is null || covered.Contains(tn))
            {
                reason = null;
                return true;
            }

            reason = $"{Subject} is configured for {covered.Count} number(s), and {tn.Value} is not one of them";
            return false;
        }
    }
}
