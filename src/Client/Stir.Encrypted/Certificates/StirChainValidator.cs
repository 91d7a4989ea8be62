using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// Validates STIR certificate chains (RFC 8226, RFC 9060) against configured trust anchors (an STI-PA's list
/// of roots): X.509 path validation with <see cref="X509Chain"/> (custom roots only, no system store, no
/// certificate downloads, time from a <see cref="TimeProvider"/>), then the STIR rules: an ECDSA P-256 end
/// entity that is not a CA, a decodable TNAuthList, every TNAuthList encompassed by those of the issuers
/// above it (RFC 9060 §4), and well-formed claim constraints (RFC 9118).
/// </summary>
/// <remarks>Thread-safe: each validation builds its own chain.</remarks>
public sealed class StirChainValidator
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    private readonly X509Certificate2[] _anchors;
    private readonly StirChainValidatorOptions _options;

    /// <summary>Creates a validator that trusts exactly <paramref name="trustAnchors"/>.</summary>
    /// <exception cref="ArgumentException">No trust anchor is given.</exception>
    public StirChainValidator(IEnumerable<X509Certificate2> trustAnchors, StirChainValidatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trustAnchors);
        _anchors = [.. trustAnchors];
        if (_anchors.Length == 0)
        {
            throw new ArgumentException("at least one trust anchor is needed", nameof(trustAnchors));
        }

        _options = options ?? new StirChainValidatorOptions();
    }

    /// <summary>The options in force.</summary>
    public StirChainValidatorOptions Options => _options;

    /// <summary>
    /// Validates a chain given end entity first, then its issuers (RFC 9060 §7 order; the trust anchor may be
    /// left out). Every outcome is a result, never an exception: the chain comes from outside.
    /// </summary>
    public StirChainValidationResult Validate(IReadOnlyList<X509Certificate2> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count == 0)
        {
            return StirChainValidationResult.Invalid(StirChainFailure.Malformed, "the chain is empty");
        }

        if (chain.Count > CertificateChain.MaxCertificates)
        {
            return StirChainValidationResult.Invalid(StirChainFailure.Malformed, $"the chain has {chain.Count} certificates (at most {CertificateChain.MaxCertificates})");
        }

        var now = _options.TimeProvider.GetUtcNow();
        List<X509Certificate2> path;
        using (var x509 = new X509Chain())
        {
            var policy = x509.ChainPolicy;
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(_anchors);
            for (var i = 1; i < chain.Count; i++)
            {
                policy.ExtraStore.Add(chain[i]);
            }

            policy.RevocationMode = _options.RevocationMode;
            policy.RevocationFlag = X509RevocationFlag.ExcludeRoot;
            policy.DisableCertificateDownloads = true;
            policy.VerificationTimeIgnored = false;
            policy.VerificationTime = now.UtcDateTime;

            bool built;
            try
            {
                built = x509.Build(chain[0]);
            }
            catch (CryptographicException e)
            {
                return StirChainValidationResult.Invalid(StirChainFailure.PathRejected, $"path building failed: {e.Message}");
            }

            path = Adopt(x509, chain);
            if (!built)
            {
                var (failure, reason) = Classify(x509, path, now);
                return StirChainValidationResult.Invalid(failure, reason);
            }
        }

        return CheckStirRules(path);
    }

    /// <summary>Validates a JWS <c>x5c</c> array (RFC 7515 §4.1.6); a malformed array is a <see cref="StirChainFailure.Malformed"/> result.</summary>
    public StirChainValidationResult ValidateX5c(IReadOnlyList<string> x5c)
    {
        ArgumentNullException.ThrowIfNull(x5c);
        IReadOnlyList<X509Certificate2> chain;
        try
        {
            chain = CertificateChain.ParseX5c(x5c);
        }
        catch (CertificateFormatException e)
        {
            return StirChainValidationResult.Invalid(StirChainFailure.Malformed, e.Message);
        }

        return Validate(chain);
    }

    private StirChainValidationResult CheckStirRules(List<X509Certificate2> path)
    {
        var endEntity = path[0];

        // RFC 8226 §4 item 5: the key signs ES256 PASSporTs (RFC 8225), so it is ECDSA on P-256. Read from the
        // SubjectPublicKeyInfo itself: .NET's GetECDsaPublicKey also weighs the key usage, which is checked next.
        if (CurveOf(endEntity) is not StirOids.P256)
        {
            var algorithm = endEntity.PublicKey.Oid;
            var what = algorithm.Value == EcPublicKeyOid
                ? $"an EC key on curve {CurveOf(endEntity) ?? "(not a named curve)"}"
                : $"a {algorithm.FriendlyName ?? algorithm.Value} key";
            return StirChainValidationResult.Invalid(StirChainFailure.KeyNotP256, $"the end-entity certificate has {what}, not ECDSA P-256 (ES256, RFC 8226 §4)");
        }

        // Only end-entity certificates sign PASSporTs (RFC 9060 §4).
        if (endEntity.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
        {
            return StirChainValidationResult.Invalid(StirChainFailure.NotEndEntity, "the signing certificate is a CA certificate (basicConstraints cA=true); only end-entity certificates sign PASSporTs (RFC 9060 §4)");
        }

        if (endEntity.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
        {
            return StirChainValidationResult.Invalid(StirChainFailure.NotEndEntity, $"the end-entity key usage ({usage.KeyUsages}) does not include digitalSignature (RFC 5280 §4.2.1.3)");
        }

        // Each certificate's TNAuthList, or the reason it has none usable.
        var lists = new TNAuthList?[path.Count];
        string? endEntityError = null;
        var endEntityFailure = StirChainFailure.None;
        for (var i = 0; i < path.Count; i++)
        {
            try
            {
                lists[i] = TNAuthList.FromCertificate(path[i]);
                if (i == 0 && lists[i] is null)
                {
                    endEntityError = "it has no TNAuthList extension";
                    endEntityFailure = StirChainFailure.TNAuthListMissing;
                }
            }
            catch (TNAuthListFormatException e)
            {
                if (i > 0)
                {
                    // An issuer's scope that cannot be read limits its subordinates to an unknown set.
                    return StirChainValidationResult.Invalid(StirChainFailure.TNAuthListMalformed, $"the TNAuthList of {Describe(path, i)} does not decode, so no certificate below it is within a known scope: {e.Message}");
                }

                endEntityError = $"its TNAuthList does not decode: {e.Message}";
                endEntityFailure = StirChainFailure.TNAuthListMalformed;
            }
        }

        if (endEntityError is not null && _options.RequireTNAuthList)
        {
            return StirChainValidationResult.Invalid(endEntityFailure, $"the end-entity certificate authorizes no number: {endEntityError}");
        }

        // RFC 9060 §4: each TNAuthList is "equal to or a subset of" the scope above it. A CA's list limits
        // every path through it (RFC 8226 §9), so each list is checked against every issuer list above it.
        for (var child = 0; child < path.Count - 1; child++)
        {
            if (lists[child] is not { } childList)
            {
                continue;
            }

            for (var parent = child + 1; parent < path.Count; parent++)
            {
                if (lists[parent] is { } parentList && !TNAuthListScope.Encompasses(parentList, childList, _options.SpcAuthorization, out var why))
                {
                    return StirChainValidationResult.Invalid(StirChainFailure.DelegationNotEncompassed, $"RFC 9060 §4: the TNAuthList of {Describe(path, child)} is not encompassed by that of {Describe(path, parent)}: {why}");
                }
            }
        }

        JwtClaimConstraints? constraints;
        try
        {
            constraints = JwtClaimConstraints.FromCertificate(endEntity);
        }
        catch (JwtClaimConstraintsFormatException e)
        {
            return StirChainValidationResult.Invalid(StirChainFailure.ClaimConstraintsMalformed, $"the end-entity claim constraints cannot be enforced: {e.Message}");
        }

        if (constraints is { ExcludesBaselineClaim: true })
        {
            constraints = null;
        }

        var certificate = new StirCertificate(path, lists[0], endEntityError is null ? null : $"the end-entity certificate: {endEntityError}", constraints, _options.SpcAuthorization);
        return StirChainValidationResult.Valid(certificate, $"valid: {Describe(path, 0)} chains to trust anchor {CertificateText.Quote(path[^1].Subject)}, valid until {CertificateText.Instant(certificate.NotAfter)}");
    }

    // The chain's elements as the caller's (or the anchors') instances, so results hold no certificates
    // that the chain owns; element copies that are not handed out are disposed.
    private List<X509Certificate2> Adopt(X509Chain x509, IReadOnlyList<X509Certificate2> chain)
    {
        var path = new List<X509Certificate2>(x509.ChainElements.Count);
        foreach (var element in x509.ChainElements)
        {
            var own = chain.Concat(_anchors).FirstOrDefault(c => c.RawDataMemory.Span.SequenceEqual(element.Certificate.RawDataMemory.Span));
            if (own is null)
            {
                path.Add(element.Certificate);
                continue;
            }

            if (!ReferenceEquals(own, element.Certificate))
            {
                element.Certificate.Dispose();
            }

            path.Add(own);
        }

        return path;
    }

    // One failure, the most fundamental first: a forged signature, then a path that does not reach an
    // anchor, then time, then revocation; anything else X.509 objects to is reported with its status text.
    private (StirChainFailure Failure, string Reason) Classify(X509Chain x509, List<X509Certificate2> path, DateTimeOffset now)
    {
        var statuses = x509.ChainElements.Select(e => e.ChainElementStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status)).ToArray();
        var overall = x509.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);

        for (var i = 0; i < statuses.Length; i++)
        {
            if (statuses[i].HasFlag(X509ChainStatusFlags.NotSignatureValid))
            {
                return (StirChainFailure.BadSignature, $"the signature of {Describe(path, i)} does not verify under its issuer's key");
            }
        }

        var last = path[^1];
        var lastIsSelfSigned = last.SubjectName.RawData.AsSpan().SequenceEqual(last.IssuerName.RawData);
        if (overall.HasFlag(X509ChainStatusFlags.PartialChain) || (!lastIsSelfSigned && overall.HasFlag(X509ChainStatusFlags.UntrustedRoot)))
        {
            return (StirChainFailure.MissingIntermediate, $"no issuer certificate found for {Describe(path, path.Count - 1)} (issued by {CertificateText.Quote(last.Issuer)}): an intermediate certificate is missing from the chain, or its root is not a trust anchor");
        }

        if (overall.HasFlag(X509ChainStatusFlags.UntrustedRoot))
        {
            return (StirChainFailure.UntrustedRoot, $"the chain ends at self-signed {CertificateText.Quote(last.Subject)}, which is not a configured trust anchor");
        }

        for (var i = 0; i < statuses.Length; i++)
        {
            if (statuses[i].HasFlag(X509ChainStatusFlags.NotTimeValid))
            {
                var notBefore = new DateTimeOffset(path[i].NotBefore.ToUniversalTime(), TimeSpan.Zero);
                var notAfter = new DateTimeOffset(path[i].NotAfter.ToUniversalTime(), TimeSpan.Zero);
                return now < notBefore
                    ? (StirChainFailure.NotYetValid, $"{Capital(Describe(path, i))} is not valid yet: valid from {CertificateText.Instant(notBefore)}, in {CertificateText.Duration(notBefore - now)}")
                    : (StirChainFailure.Expired, $"{Capital(Describe(path, i))} expired {CertificateText.Duration(now - notAfter)} ago (notAfter {CertificateText.Instant(notAfter)})");
            }
        }

        for (var i = 0; i < statuses.Length; i++)
        {
            if (statuses[i].HasFlag(X509ChainStatusFlags.Revoked))
            {
                return (StirChainFailure.Revoked, $"{Capital(Describe(path, i))} is revoked");
            }
        }

        var details = x509.ChainElements
            .SelectMany((e, i) => e.ChainElementStatus.Where(s => s.Status != X509ChainStatusFlags.NoError).Select(s => $"{Describe(path, i)}: {s.Status} ({s.StatusInformation.Trim()})"))
            .Concat(x509.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError).Select(s => $"{s.Status} ({s.StatusInformation.Trim()})"))
            .Distinct();
        return (StirChainFailure.PathRejected, $"X.509 path validation failed: {string.Join("; ", details)}");
    }

    private static string Describe(List<X509Certificate2> path, int index)
    {
        var subject = CertificateText.Quote(path[index].Subject);
        return index == 0 ? $"the end-entity certificate {subject}"
            : index == path.Count - 1 && path[index].SubjectName.RawData.AsSpan().SequenceEqual(path[index].IssuerName.RawData) ? $"the root {subject}"
            : $"the issuing CA {subject}";
    }

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    // RFC 5480 §2.1.1: id-ecPublicKey with ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER, ... }.
    private static string? CurveOf(X509Certificate2 certificate)
    {
        if (certificate.PublicKey.Oid.Value != EcPublicKeyOid)
        {
            return null;
        }

        var parameters = certificate.PublicKey.EncodedParameters?.RawData;
        if (parameters is null)
        {
            return null;
        }

        try
        {
            var oid = AsnDecoder.ReadObjectIdentifier(parameters, AsnEncodingRules.DER, out var consumed);
            return consumed == parameters.Length ? oid : null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
