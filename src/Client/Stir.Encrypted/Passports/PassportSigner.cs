namespace Stir.Encrypted.Passports;

/// <summary>
/// Signs PASSporTs with ES256 (RFC 8225 §6, Appendix A): the header and claims in RFC 8225 §9 canonical
/// JSON, base64url, then ECDSA P-256 over <c>header.claims</c>, giving the full form
/// <c>header.claims.signature</c> with a 64-byte R || S signature (RFC 7518 §3.4).
/// </summary>
/// <remarks>
/// RFC 8225 §4.2 recommends deterministic ECDSA (RFC 6979) where supported. .NET's ECDsa draws its nonce
/// from the operating system's CSPRNG and offers no deterministic mode; verifiers cannot tell the
/// difference, and signatures are unique per call rather than per content.
/// </remarks>
public sealed class PassportSigner
{
    private readonly PassportSigningKey _key;

    /// <summary>A signer with <paramref name="key"/> (not owned: the caller disposes it) and a clock for <c>iat</c>.</summary>
    public PassportSigner(PassportSigningKey key, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The clock that <see cref="PassportBuilder"/> takes <c>iat</c> from when none is set.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Signs <paramref name="header"/> and <paramref name="claims"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The PASSporT would break a rule the parser enforces (e.g. a ppt without its claims, or larger than
    /// verifiers accept); nothing is signed that <see cref="Passport.Parse(string, PassportParseOptions?)"/> would refuse.
    /// </exception>
    public Passport Sign(PassportHeader header, PassportClaims claims)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(claims);

        // RFC 8225 Appendix A steps 1-4: canonical JSON, base64url; steps 5-6: sign the ASCII signing input.
        var signingInput = $"{StrictBase64.EncodeUrl(header.ToCanonicalJson())}.{StrictBase64.EncodeUrl(claims.ToCanonicalJson())}";
        var signature = _key.Sign(System.Text.Encoding.ASCII.GetBytes(signingInput));

        // Step 8: the full form. Parsed back so that the caller gets exactly what a verifier will see.
        var token = $"{signingInput}.{StrictBase64.EncodeUrl(signature)}";
        try
        {
            return Passport.Parse(token, new PassportParseOptions { AllowLoopbackHttpX5u = true });
        }
        catch (PassportFormatException e)
        {
            throw new ArgumentException($"refusing to sign a PASSporT that verifiers would reject: {e.Message}", nameof(claims), e);
        }
    }
}
