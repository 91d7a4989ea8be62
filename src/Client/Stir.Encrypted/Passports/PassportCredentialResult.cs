using System.Diagnostics.CodeAnalysis;

namespace Stir.Encrypted.Passports;

/// <summary>What an <see cref="IPassportCredentialResolver"/> found: the signer's credential, or why there is none.</summary>
public sealed class PassportCredentialResult
{
    private PassportCredentialResult(IPassportCredential? credential, string? failureReason)
    {
        Credential = credential;
        FailureReason = failureReason;
    }

    /// <summary>True when <see cref="Credential"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Credential))]
    [MemberNotNullWhen(false, nameof(FailureReason))]
    public bool IsSuccess => Credential is not null;

    /// <summary>The validated credential, on success.</summary>
    public IPassportCredential? Credential { get; }

    /// <summary>Why no credential could be established (e.g. "x5u https://... answered 404"), on failure.</summary>
    public string? FailureReason { get; }

    /// <summary>A validated credential.</summary>
    public static PassportCredentialResult Success(IPassportCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new PassportCredentialResult(credential, null);
    }

    /// <summary>No credential, and why.</summary>
    public static PassportCredentialResult Failure(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new PassportCredentialResult(null, reason);
    }
}
