using System.Security.Cryptography.X509Certificates;

namespace Stir.Encrypted.Certificates;

/// <summary>How <see cref="StirChainValidator"/> validates; the defaults suit a verification service.</summary>
public sealed class StirChainValidatorOptions
{
    /// <summary>The clock validity periods are checked against.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Revocation checking. Off by default: SHAKEN CRLs are fetched from URLs in the certificates, which puts
    /// a network dependency on the call path; an operator that wants it turns it on.
    /// </summary>
    public X509RevocationMode RevocationMode { get; init; } = X509RevocationMode.NoCheck;

    /// <summary>The operator's SPC-to-numbers table, used for SPC coverage and SPC delegation; null for none.</summary>
    public SpcAuthorization? SpcAuthorization { get; init; }

    /// <summary>
    /// Whether the end-entity certificate must carry a decodable TNAuthList (true by default, RFC 8226 §9).
    /// When false, such a chain validates but its certificate covers no number.
    /// </summary>
    public bool RequireTNAuthList { get; init; } = true;
}
