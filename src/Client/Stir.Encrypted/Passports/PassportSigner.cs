using System.Buffers.Text;

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
    /// <summary>What the signer checks its output against: the parser's rules, with test-rig x5u URLs allowed.</summary>
    private static readonly PassportParseOptions ParseOptions = new() { AllowLoopbackHttpX5u = true };

    private readonly PassportSigningKey _key;

    /// <summary>The last header that went through the parser in full (immutable, so one check holds for every later call).</summary>
    private CheckedHeader? _checkedHeader;

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

        // The parser's verdict on a PASSporT depends on its header, its claims (given the header's ppt) and its
        // length, never on its signature. A header object that parsed once parses again; claims that the object
        // model alone proves valid (ClaimsCertainlyValid) need no parse either. Anything else, including every
        // PASSporT the parser would refuse, takes the full path, which signs and parses the token back.
        var checkedHeader = _checkedHeader;
        if (checkedHeader is null || !checkedHeader.Holds(header) || !ClaimsCertainlyValid(header.Ppt, claims))
        {
            return SignAndParse(header, claims);
        }

        // RFC 8225 Appendix A steps 1-4: canonical JSON, base64url (the header's segment is already made).
        var rawClaims = claims.ToCanonicalJson();
        var headerSegment = checkedHeader.Segment;
        var claimsLength = Base64Url.GetEncodedLength(rawClaims.Length);
        var signatureLength = Base64Url.GetEncodedLength(PassportJws.SignatureSize);
        var signingInput = new byte[headerSegment.Length + 1 + claimsLength];
        if (signingInput.Length + 1 + signatureLength > ParseOptions.MaxTokenLength)
        {
            return SignAndParse(header, claims); // too large for verifiers: the parser words the refusal
        }

        headerSegment.CopyTo(signingInput);
        signingInput[headerSegment.Length] = (byte)'.';
        _ = Base64Url.EncodeToUtf8(rawClaims, signingInput.AsSpan(headerSegment.Length + 1));

        // Steps 5-6: sign the ASCII signing input; step 8: the full form.
        var signature = _key.Sign(signingInput);
        var token = string.Create(signingInput.Length + 1 + signatureLength, (signingInput, signature), static (chars, state) =>
        {
            for (var i = 0; i < state.signingInput.Length; i++)
            {
                chars[i] = (char)state.signingInput[i];
            }

            chars[state.signingInput.Length] = '.';
            _ = Base64Url.EncodeToChars(state.signature, chars[(state.signingInput.Length + 1)..]);
        });
        return new Passport(token, signingInput, checkedHeader.RawHeader, rawClaims, signature, true, true, header, claims, original: null);
    }

    // RFC 8225 §5 with RFC 8588 §4-5 and RFC 8946 §3: the claim rules of PassportParser.ParseClaims, decided from
    // the objects alone. True only where the canonical JSON of these claims certainly parses back to equal claims:
    // no extension claims and no nested PASSporT (their JSON is arbitrary; the parser decides), identities and
    // numbers valid by construction (PassportIdentity, TelephoneNumber, PassportDestination check their values).
    // False means "not certain", never "invalid": the full path then decides and words any refusal.
    private static bool ClaimsCertainlyValid(string? ppt, PassportClaims claims)
    {
        if (claims.Extensions.Count > 0 || claims.Opt is not null || ppt == PassportTypes.DivO)
        {
            return false;
        }

        // RFC 8225 §5.1.1: a non-negative integer NumericDate, at most the year 9999.
        if (claims.Iat < 0 || claims.Iat > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        // RFC 8225 §5.2.1: at least one destination.
        if (claims.Dest.Tn.Count + claims.Dest.Uri.Count == 0)
        {
            return false;
        }

        // RFC 8588 §4-5: attest and origid valid where present, both present in a "shaken" PASSporT.
        if (claims.Attest is not (null or "A" or "B" or "C") || (claims.OrigId is not null && !PassportParser.IsUuid(claims.OrigId)))
        {
            return false;
        }

        if (ppt == PassportTypes.Shaken && (claims.Attest is null || claims.OrigId is null))
        {
            return false;
        }

        // RFC 8946 §3, §8: div exactly in div PASSporTs; hi, a non-empty string, only inside div.
        return (claims.Div is not null) == PassportTypes.IsDiversion(ppt)
            && (claims.DivHi is null || (claims.Div is not null && claims.DivHi.Length > 0));
    }

    private Passport SignAndParse(PassportHeader header, PassportClaims claims)
    {
        // RFC 8225 Appendix A steps 1-4: canonical JSON, base64url; steps 5-6: sign the ASCII signing input.
        var rawHeader = header.ToCanonicalJson();
        var headerSegment = StrictBase64.EncodeUrl(rawHeader);
        var signingInput = $"{headerSegment}.{StrictBase64.EncodeUrl(claims.ToCanonicalJson())}";
        var signature = _key.Sign(System.Text.Encoding.ASCII.GetBytes(signingInput));

        // Step 8: the full form. Parsed back so that the caller gets exactly what a verifier will see.
        var token = $"{signingInput}.{StrictBase64.EncodeUrl(signature)}";
        Passport passport;
        try
        {
            passport = Passport.Parse(token, ParseOptions);
        }
        catch (PassportFormatException e)
        {
            throw new ArgumentException($"refusing to sign a PASSporT that verifiers would reject: {e.Message}", nameof(claims), e);
        }

        _checkedHeader = new CheckedHeader(header, rawHeader, System.Text.Encoding.ASCII.GetBytes(headerSegment));
        return passport;
    }

    /// <summary>A header the parser accepted: its canonical JSON and that JSON's base64url segment, as ASCII bytes.</summary>
    private sealed class CheckedHeader(PassportHeader header, byte[] rawHeader, byte[] segment)
    {
        public byte[] RawHeader { get; } = rawHeader;

        public byte[] Segment { get; } = segment;

        /// <summary>
        /// True when <paramref name="other"/> has the same content, and so the same canonical JSON and the same
        /// verdict from the parser (<see cref="PassportBuilder.Sign"/> builds a new, equal header for every call).
        /// </summary>
        public bool Holds(PassportHeader other)
        {
            if (ReferenceEquals(header, other))
            {
                return true;
            }

            if (!string.Equals(header.X5u, other.X5u, StringComparison.Ordinal)
                || !string.Equals(header.Ppt, other.Ppt, StringComparison.Ordinal)
                || header.X5c.Count != other.X5c.Count)
            {
                return false;
            }

            for (var i = 0; i < header.X5c.Count; i++)
            {
                if (!header.X5c[i].Span.SequenceEqual(other.X5c[i].Span))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
