using System.Diagnostics.CodeAnalysis;

namespace Stir.Encrypted.Certificates;

/// <summary>The outcome of validating a STIR certificate chain: the validated certificate, or why there is none.</summary>
public sealed class StirChainValidationResult
{
    private StirChainValidationResult(StirChainFailure failure, string reason, StirCertificate? certificate)
    {
        Failure = failure;
        Reason = reason;
        Certificate = certificate;
    }

    /// <summary>Whether the chain is valid; <see cref="Certificate"/> is then set.</summary>
    [MemberNotNullWhen(true, nameof(Certificate))]
    public bool IsValid => Failure == StirChainFailure.None;

    /// <summary>What failed, or <see cref="StirChainFailure.None"/>.</summary>
    public StirChainFailure Failure { get; }

    /// <summary>A one-line explanation for people: which certificate, which rule, by how much.</summary>
    public string Reason { get; }

    /// <summary>The validated certificate; null unless <see cref="IsValid"/>.</summary>
    public StirCertificate? Certificate { get; }

    /// <summary>The reason.</summary>
    public override string ToString() => Reason;

    internal static StirChainValidationResult Valid(StirCertificate certificate, string reason) => new(StirChainFailure.None, reason, certificate);

    internal static StirChainValidationResult Invalid(StirChainFailure failure, string reason) => new(failure, reason, null);
}
