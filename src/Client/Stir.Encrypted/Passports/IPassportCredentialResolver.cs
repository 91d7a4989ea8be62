namespace Stir.Encrypted.Passports;

/// <summary>
/// Finds and validates the signer of a PASSporT from its header: fetches <c>x5u</c> or decodes <c>x5c</c>,
/// validates the certificate chain against the trust anchors, and returns the credential, or why not.
/// Implemented by the STIR certificate code; <see cref="StaticKeyCredentialResolver"/> serves tests and tools.
/// </summary>
public interface IPassportCredentialResolver
{
    /// <summary>
    /// Resolves the signer named in <paramref name="header"/>. An unreachable URL, an untrusted chain or an
    /// expired certificate is a <see cref="PassportCredentialResult.Failure(string)"/>, not an exception.
    /// </summary>
    ValueTask<PassportCredentialResult> ResolveAsync(PassportHeader header, CancellationToken cancellationToken);
}
