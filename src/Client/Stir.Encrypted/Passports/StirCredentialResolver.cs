using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Passports;

/// <summary>
/// Resolves a PASSporT's signer through STIR certificates (RFC 8224 §6.2 step 2, RFC 8226): the <c>x5c</c>
/// chain in the header, else a chain the operator supplied locally, else the <c>x5u</c> URL fetched through
/// the bounded, chain-aware <see cref="X5uResolver"/>; every chain is validated to the configured trust
/// anchors at the verifier's time, and the credential's authority is the end entity's TNAuthList.
/// </summary>
public sealed class StirCredentialResolver : IPassportCredentialResolver
{
    private readonly StirChainValidator _validator;
    private readonly X5uResolver? _x5uResolver;
    private readonly IReadOnlyList<X509Certificate2>? _localChain;

    /// <summary>Creates a resolver.</summary>
    /// <param name="validator">Validates chains to the trust anchors.</param>
    /// <param name="x5uResolver">Fetches x5u URLs; null to refuse PASSporTs that only carry x5u.</param>
    /// <param name="localChain">A chain (end entity first) to use instead of fetching x5u, e.g. `stir passport verify --chain`.</param>
    public StirCredentialResolver(StirChainValidator validator, X5uResolver? x5uResolver = null, IReadOnlyList<X509Certificate2>? localChain = null)
    {
        ArgumentNullException.ThrowIfNull(validator);
        if (localChain is { Count: 0 })
        {
            throw new ArgumentException("a local chain has at least the end-entity certificate", nameof(localChain));
        }

        _validator = validator;
        _x5uResolver = x5uResolver;
        _localChain = localChain;
    }

    /// <inheritdoc/>
    public async ValueTask<PassportCredentialResult> ResolveAsync(PassportHeader header, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(header);
        StirChainValidationResult result;
        string source;
        if (header.X5c.Count > 0)
        {
            // The chain inside the signed header is what the signer vouched for: it wins over x5u.
            var chain = new List<X509Certificate2>(header.X5c.Count);
            try
            {
                foreach (var der in header.X5c)
                {
                    chain.Add(CertificateChain.ParseDer(der.Span));
                }
            }
            catch (CertificateFormatException e)
            {
                return PassportCredentialResult.Failure($"x5c certificate {chain.Count} does not parse: {e.Message}");
            }

            result = _validator.Validate(chain);
            source = "x5c";
        }
        else if (_localChain is not null)
        {
            result = _validator.Validate(_localChain);
            source = "the local chain";
        }
        else if (header.X5u is not null && _x5uResolver is not null)
        {
            result = await _x5uResolver.ResolveAsync(header.X5u, cancellationToken);
            source = $"x5u {header.X5u}";
        }
        else
        {
            return PassportCredentialResult.Failure(header.X5u is null
                ? "the header carries neither x5c nor x5u"
                : $"x5u {header.X5u} is not fetched by this verifier and no local chain was given");
        }

        return result.IsValid
            ? PassportCredentialResult.Success(new Credential(result.Certificate!))
            : PassportCredentialResult.Failure($"{source}: {result.Reason}");
    }

    private sealed class Credential : IPassportCredential
    {
        private readonly StirCertificate _certificate;

        public Credential(StirCertificate certificate)
        {
            _certificate = certificate;
            PublicKey = certificate.CreatePublicKey();
            Subject = certificate.EndEntity.Subject;
        }

        // One key per resolution; released by the finalizer, since the verifier never disposes keys.
        public ECDsa PublicKey { get; }

        public string Subject { get; }

        public bool Covers(TelephoneNumber tn, [NotNullWhen(false)] out string? reason)
        {
            if (_certificate.Covers(tn, out var why))
            {
                reason = null;
                return true;
            }

            reason = why;
            return false;
        }

        public bool Permits(ReadOnlyMemory<byte> rawClaims, [NotNullWhen(false)] out string? reason)
        {
            if (_certificate.ClaimConstraints is not { } constraints)
            {
                reason = null;
                return true;
            }

            using var claims = JsonDocument.Parse(rawClaims);
            if (constraints.Permits(claims.RootElement, out var why))
            {
                reason = null;
                return true;
            }

            reason = why;
            return false;
        }
    }
}
