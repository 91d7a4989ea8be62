using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Passports;

/// <summary>
/// The signer of a PASSporT as its credential resolver established it: the public key the signature must
/// verify under, and the authority over telephone numbers that its certificate grants (RFC 8226 TNAuthList).
/// </summary>
public interface IPassportCredential
{
    /// <summary>The signer's P-256 public key. Owned by the credential (the verifier never disposes it).</summary>
    ECDsa PublicKey { get; }

    /// <summary>A short description of the signer for messages, e.g. a certificate subject; no key material.</summary>
    string Subject { get; }

    /// <summary>
    /// True when the credential has authority over <paramref name="tn"/> (RFC 8224 §6.2 step 3,
    /// RFC 8226 §9); otherwise false and why (e.g. "TNAuthList holds SPC 1234 only").
    /// </summary>
    bool Covers(TelephoneNumber tn, [NotNullWhen(false)] out string? reason);

    /// <summary>
    /// True when the credential allows these claims (the JWT Claim Constraints of RFC 8226 §8 or the
    /// EnhancedJWTClaimConstraints of RFC 9118 in the signer's certificate); otherwise false and why.
    /// Credentials without such constraints allow everything.
    /// </summary>
    bool Permits(ReadOnlyMemory<byte> rawClaims, [NotNullWhen(false)] out string? reason)
    {
        reason = null;
        return true;
    }
}
