using Stir.Encrypted.Certificates;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// Decides whether a key record or revocation is to be believed, trusting nothing but the configured trust
/// anchors (spec/protocol.md §10 "Verification"): the x5c chain validates now (RFC 8226, RFC 9060 delegation),
/// the ES256 signature verifies under its end entity, <c>iat</c> is not in the future, and for a record the
/// validity window fits inside the chain's, the TNAuthList covers every number, and the key imports for a
/// suite it accepts. A directory runs the same checks before it stores anything; a caller runs them on every
/// record a directory (or its own cache) hands it.
/// </summary>
/// <remarks>Thread-safe. Every outcome is a <see cref="KeyRecordVerdict"/>, never an exception: records come from outside.</remarks>
public sealed class KeyRecordVerifier
{
    private readonly StirChainValidator _validator;

    /// <summary>A verifier on <paramref name="validator"/>'s trust anchors, SPC authorization and clock.</summary>
    public KeyRecordVerifier(StirChainValidator validator, KeyRecordVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(validator);
        _validator = validator;
        Options = options ?? new KeyRecordVerifierOptions();
    }

    /// <summary>The options in force.</summary>
    public KeyRecordVerifierOptions Options { get; }

    /// <summary>The clock every check uses (the chain validator's).</summary>
    public TimeProvider TimeProvider => _validator.Options.TimeProvider;

    /// <summary>Parses and verifies a token.</summary>
    public KeyRecordVerdict Verify(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return KeyRecord.TryParse(token, out var record, out var error)
            ? Verify(record)
            : KeyRecordVerdict.Invalid(KeyRecordFailure.Malformed, error.Message, null);
    }

    /// <summary>Verifies a parsed entry.</summary>
    public KeyRecordVerdict Verify(KeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var now = TimeProvider.GetUtcNow();

        var chain = _validator.ValidateX5c(record.X5c);
        if (!chain.IsValid)
        {
            return chain.Failure == StirChainFailure.Malformed
                ? KeyRecordVerdict.Invalid(KeyRecordFailure.Malformed, $"key record \"header.x5c\": {chain.Reason}", record)
                : KeyRecordVerdict.Chain(chain.Failure, $"the signer's chain is not trusted: {chain.Reason}", record);
        }

        var certificate = chain.Certificate;
        using (var key = certificate.CreatePublicKey())
        {
            if (!key.VerifyData(record.SigningInput, record.Signature, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return KeyRecordVerdict.Invalid(KeyRecordFailure.BadSignature, $"the ES256 signature does not verify under the key of {certificate.EndEntity.Subject}", record);
            }
        }

        var skew = Options.ClockSkew;
        if (record.IssuedAt > now + skew)
        {
            return KeyRecordVerdict.Invalid(KeyRecordFailure.IssuedInFuture, $"\"iat\": {record.Iat} is {CertificateText.Duration(record.IssuedAt - now)} in the future (limit {CertificateText.Duration(skew)})", record);
        }

        if (record.Kind == KeyRecordKind.Revocation)
        {
            return KeyRecordVerdict.Valid(record, null, $"valid revocation of rid {record.Rid} up to seq {record.Seq}");
        }

        var nbf = record.NotBefore!.Value;
        var exp = record.Expires!.Value;
        if (nbf >= exp)
        {
            return KeyRecordVerdict.Invalid(KeyRecordFailure.BadValidity, $"\"nbf\": {record.Nbf} is not before \"exp\": {record.Exp}", record);
        }

        if (exp <= now)
        {
            return KeyRecordVerdict.Invalid(KeyRecordFailure.Expired, $"\"exp\": {record.Exp} passed {CertificateText.Duration(now - exp)} ago ({CertificateText.Instant(exp)})", record);
        }

        if (Options.RequireCurrentlyValid && nbf > now + skew)
        {
            return KeyRecordVerdict.Invalid(KeyRecordFailure.NotYetValid, $"\"nbf\": {record.Nbf} is {CertificateText.Duration(nbf - now)} in the future (limit {CertificateText.Duration(skew)})", record);
        }

        if (exp > certificate.NotAfter)
        {
            return KeyRecordVerdict.Invalid(KeyRecordFailure.ExceedsCertificate, $"\"exp\": {record.Exp} ({CertificateText.Instant(exp)}) is {CertificateText.Duration(exp - certificate.NotAfter)} after the chain's earliest notAfter ({CertificateText.Instant(certificate.NotAfter)})", record);
        }

        if (Options.MaxValidity is { } max && exp - nbf > max)
        {
            return KeyRecordVerdict.Invalid(KeyRecordFailure.ValidityTooLong, $"\"exp\" − \"nbf\" is {CertificateText.Duration(exp - nbf)}, longer than the allowed {CertificateText.Duration(max)}", record);
        }

        if (!Covers(certificate, record, out var why))
        {
            return KeyRecordVerdict.Invalid(KeyRecordFailure.NotCovered, why, record);
        }

        var suite = Options.Suites.FirstOrDefault(s => string.Equals(s.Name, record.Suite, StringComparison.Ordinal));
        if (suite is null)
        {
            return KeyRecordVerdict.Invalid(KeyRecordFailure.UnsupportedSuite, $"\"hpke.suite\": \"{record.Suite}\" is not accepted (accepted: {string.Join(", ", Options.Suites.Select(s => s.Name))})", record);
        }

        HpkePublicKey publicKey;
        try
        {
            publicKey = HpkePublicKey.Import(suite.Kem, record.PublicKey.Span);
        }
        catch (HpkeFormatException e)
        {
            return KeyRecordVerdict.Invalid(KeyRecordFailure.BadPublicKey, $"\"hpke.pk\": {e.Message}", record);
        }

        return KeyRecordVerdict.Valid(record, new VerifiedKeyRecord(record, suite, publicKey, certificate), $"valid key record rid {record.Rid} seq {record.Seq}, signed by {certificate.EndEntity.Subject}");
    }

    // Spec §10: the TNAuthList (TN, range containment, or SPC through the operator's SPC authorization) covers
    // every tn and every number of every tnr range.
    private bool Covers(StirCertificate certificate, KeyRecord record, out string reason)
    {
        if (certificate.TNAuthList is not { } list)
        {
            reason = $"the signer's certificate authorizes no number: {certificate.TNAuthListError}";
            return false;
        }

        foreach (var number in record.Numbers)
        {
            if (!certificate.Covers(number, out var why))
            {
                reason = $"\"tn\": {number.Value} is {why}";
                return false;
            }
        }

        var spc = _validator.Options.SpcAuthorization;
        foreach (var range in record.Ranges)
        {
            if (!TNAuthListScope.Encompasses(list, new TNAuthList([new TNEntry.Range(range)]), spc, out var why))
            {
                reason = $"\"tnr\": {range} is not wholly covered by the signer's TNAuthList: {why}";
                return false;
            }
        }

        reason = "covered";
        return true;
    }
}
