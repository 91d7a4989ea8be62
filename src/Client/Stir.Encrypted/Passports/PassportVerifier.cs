using System.Globalization;
using Stir.Encrypted.Jose;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Passports;

/// <summary>
/// Verifies PASSporTs as a STIR verification service does (RFC 8224 §6.2, RFC 8946 §4.2): parse strictly,
/// resolve the signer's credential, check the ES256 signature over the bytes received, check <c>iat</c>
/// freshness, check the signer's authority over the number it vouches for, and check the called number.
/// </summary>
/// <remarks>
/// Every outcome is a <see cref="PassportVerdict"/>: a malformed token is folded into
/// <see cref="PassportRule.Malformed"/> with the <see cref="PassportFormatException"/> attached. A valid
/// PASSporT whose JSON is not canonical is accepted: the signature covers the bytes as received.
/// </remarks>
public sealed class PassportVerifier
{
    private readonly IPassportCredentialResolver _resolver;
    private readonly TimeProvider _time;

    /// <summary>A verifier that finds signers through <paramref name="resolver"/> and reads time from <paramref name="timeProvider"/>.</summary>
    public PassportVerifier(IPassportCredentialResolver resolver, PassportVerifierOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        _resolver = resolver;
        Options = options ?? PassportVerifierOptions.Default;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The policy.</summary>
    public PassportVerifierOptions Options { get; }

    /// <summary>
    /// Verifies a full-form PASSporT, or a SIP Identity header value carrying one (whose <c>info</c>,
    /// <c>alg</c> and <c>ppt</c> parameters must then agree with the header, RFC 8224 §4.1).
    /// </summary>
    /// <param name="tokenOrIdentityHeader">The token, or the Identity header value.</param>
    /// <param name="expectedDest">The called number, which must be in <c>dest</c>; null to skip that check.</param>
    /// <param name="cancellationToken">Cancels credential resolution.</param>
    public ValueTask<PassportVerdict> VerifyAsync(string tokenOrIdentityHeader, TelephoneNumber? expectedDest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenOrIdentityHeader);
        var entry = ParseInput(tokenOrIdentityHeader);
        return entry.Passport is null
            ? ValueTask.FromResult(entry.Early!)
            : VerifyEntryAsync(entry.Passport, entry.IdentityHeader, expectedDest, Options.Freshness, cancellationToken);
    }

    /// <summary>Verifies a parsed PASSporT (e.g. one rebuilt from a compact form).</summary>
    public ValueTask<PassportVerdict> VerifyAsync(Passport passport, TelephoneNumber? expectedDest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passport);
        return VerifyEntryAsync(passport, null, expectedDest, Options.Freshness, cancellationToken);
    }

    /// <summary>
    /// Verifies the PASSporTs of one call together: each on its own, then every div PASSporT linked to the
    /// PASSporT it diverts (same <c>orig</c>, its <c>div</c> among that one's <c>dest</c>, sane <c>iat</c>
    /// order), every chain ending at an original, and the last PASSporT of every chain addressed to
    /// <paramref name="calledNumber"/> (RFC 8946 §4.2 steps 1-5).
    /// </summary>
    public ValueTask<PassportCallVerdict> VerifyCallAsync(PassportSet passports, TelephoneNumber? calledNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passports);
        return VerifyCallCoreAsync(passports.Entries.Select(e => new InputEntry(e.Passport, e.IdentityHeader, null)).ToList(), calledNumber, cancellationToken);
    }

    /// <summary>Like <see cref="VerifyCallAsync(PassportSet, TelephoneNumber?, CancellationToken)"/> from the raw Identity header values (or tokens); malformed ones become <see cref="PassportRule.Malformed"/> verdicts.</summary>
    public ValueTask<PassportCallVerdict> VerifyCallAsync(IEnumerable<string> identityValues, TelephoneNumber? calledNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identityValues);
        return VerifyCallCoreAsync(identityValues.Select(ParseInput).ToList(), calledNumber, cancellationToken);
    }

    private InputEntry ParseInput(string value)
    {
        try
        {
            if (SipIdentityHeader.LooksLikeHeader(value))
            {
                var header = SipIdentityHeader.Parse(value);
                if (header.IsCompactForm)
                {
                    throw new PassportFormatException(
                        PassportPart.Token,
                        string.Empty,
                        "compact form (\"..signature\"): rebuild the header and claims from the SIP request (RFC 8225 §7, Passport.FromCompactForm), then verify the result");
                }

                return new InputEntry(Passport.Parse(header.Token, Options.ParseOptions), header, null);
            }

            return new InputEntry(Passport.Parse(value.Trim(), Options.ParseOptions), null, null);
        }
        catch (PassportFormatException e)
        {
            return new InputEntry(null, null, PassportVerdict.Malformed(e));
        }
    }

    private async ValueTask<PassportVerdict> VerifyEntryAsync(
        Passport passport, SipIdentityHeader? identityHeader, TelephoneNumber? expectedDest, TimeSpan freshness, CancellationToken cancellationToken)
    {
        if (identityHeader is not null && CheckIdentityHeader(passport, identityHeader) is { } mismatch)
        {
            return mismatch;
        }

        var verdict = await VerifyOwnAsync(passport, freshness, cancellationToken);
        if (!verdict.IsValid)
        {
            return verdict;
        }

        // RFC 8224 §6.2 step 2 (and RFC 8946 §4.2 step 1 for the outermost PASSporT): the call reached a
        // destination the signer named.
        if (expectedDest is not null && !passport.Claims.Dest.Contains(expectedDest))
        {
            return PassportVerdict.Invalid(
                PassportRule.DestMismatch,
                $"\"dest\" ({passport.Claims.Dest}) does not contain the called number {expectedDest.Value}",
                passport,
                verdict.Signer);
        }

        // RFC 8946 §5.1: a div-o carries its original in opt; each nested PASSporT is verified like a
        // chain link (signature, freshness, authority) and must match its enclosing one.
        var link = 1;
        for (var (outer, inner) = (passport, passport.Original); inner is not null; (outer, inner) = (inner, inner.Original), link++)
        {
            var where = $"link {link} ({Describe(outer)} -> nested original {Describe(inner)})";
            var nested = await VerifyOwnAsync(inner, Options.OriginalFreshness, cancellationToken);
            if (!nested.IsValid)
            {
                return PassportVerdict.Invalid(PassportRule.ChainLinkInvalid, $"{where}: the nested PASSporT fails {nested.Rule}: {nested.Message}", passport, verdict.Signer);
            }

            if (CheckLink(outer, inner, where) is { } broken)
            {
                return PassportVerdict.Invalid(broken.Rule, broken.Message, passport, verdict.Signer);
            }
        }

        return link == 1 ? verdict : PassportVerdict.Valid(passport, verdict.Signer!, $"{verdict.Message}; {link - 1} nested original(s) verified");
    }

    // RFC 8224 §6.2 steps 1, 3, 4 and the authority check of step 3 for one PASSporT.
    private async ValueTask<PassportVerdict> VerifyOwnAsync(Passport passport, TimeSpan freshness, CancellationToken cancellationToken)
    {
        var header = passport.Header;
        var ppt = header.Ppt ?? PassportTypes.Baseline;
        if (!Options.AllowedPpts.Contains(ppt))
        {
            return PassportVerdict.Invalid(
                PassportRule.PptNotAllowed,
                $"ppt {DescribePpt(ppt)} is not allowed by this verifier (allowed: {string.Join(", ", Options.AllowedPpts.Order(StringComparer.Ordinal).Select(DescribePpt))})",
                passport);
        }

        switch (Options.KeyReference)
        {
            case PassportKeyReference.X5uRequired when header.X5u is null:
                return PassportVerdict.Invalid(PassportRule.KeyReferencePolicy, $"the header has no \"x5u\" (it carries \"x5c\" with {header.X5c.Count} certificate(s)); this verifier requires x5u", passport);
            case PassportKeyReference.X5cRequired when header.X5c.Count == 0:
                return PassportVerdict.Invalid(PassportRule.KeyReferencePolicy, $"the header has no \"x5c\" (only \"x5u\" {header.X5u}); this verifier requires x5c", passport);
            default:
                break;
        }

        var resolved = await _resolver.ResolveAsync(header, cancellationToken);
        if (!resolved.IsSuccess)
        {
            return PassportVerdict.Invalid(PassportRule.CredentialUnavailable, $"the signer's credential ({header.X5u ?? "x5c"}) is unavailable: {resolved.FailureReason}", passport);
        }

        var credential = resolved.Credential;
        if (!Es256.IsP256Once(credential.PublicKey))
        {
            return PassportVerdict.Invalid(PassportRule.CredentialUnavailable, $"the credential of {credential.Subject} has a {credential.PublicKey.KeySize}-bit key that is not P-256; ES256 needs P-256", passport);
        }

        // RFC 7515 §5.2 step 8: over the signing input as received, never a re-serialization. The curve was
        // checked just above (once per key object: a credential's key does not change between tokens).
        if (!passport.VerifyP256Signature(credential.PublicKey))
        {
            return PassportVerdict.Invalid(PassportRule.SignatureInvalid, $"the ES256 signature does not verify under the key of {credential.Subject}", passport, credential.Subject);
        }

        // RFC 8226 §8 / RFC 9118 §3: a certificate may constrain what its PASSporTs claim (e.g. attest "A" only).
        if (!credential.Permits(passport.RawClaims, out var constraint))
        {
            return PassportVerdict.Invalid(PassportRule.ClaimsNotPermitted, $"the claims break the claim constraints of {credential.Subject}: {constraint}", passport, credential.Subject);
        }

        // RFC 8224 §6.2 step 4: iat within the freshness window (whole seconds: iat has no fraction).
        var iat = passport.Claims.Iat;
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var age = now - iat;
        var limit = (long)freshness.TotalSeconds;
        if (age > limit)
        {
            return PassportVerdict.Invalid(PassportRule.Stale, $"\"iat\" {iat} is stale by {age} s (limit {limit} s)", passport, credential.Subject);
        }

        var skew = (long)Options.FutureSkew.TotalSeconds;
        if (-age > skew)
        {
            return PassportVerdict.Invalid(PassportRule.IssuedInFuture, $"\"iat\" {iat} is {-age} s in the future (limit {skew} s)", passport, credential.Subject);
        }

        // RFC 8224 §6.2 step 3 / RFC 8226: the signer has authority over orig; for div and div-o, over the
        // number the call was diverted from (RFC 8946 §3, §4.2 step 2).
        var diversion = PassportTypes.IsDiversion(header.Ppt);
        var (claim, identity) = diversion ? ("div", passport.Claims.Div!) : ("orig", passport.Claims.Orig);
        if (identity.Tn is null)
        {
            return PassportVerdict.Invalid(
                PassportRule.NoTnValidation,
                $"\"{claim}\" is the URI \"{identity.Uri}\", not a telephone number: the signature is valid but no TN authority applies (\"No-TN-Validation\"); domain authority (RFC 8224 §8.4) is not checked here",
                passport,
                credential.Subject);
        }

        if (!credential.Covers(identity.Tn, out var reason))
        {
            return PassportVerdict.Invalid(
                diversion ? PassportRule.DivNotCovered : PassportRule.OrigNotCovered,
                $"{credential.Subject} has no authority over \"{claim}\" tn {identity.Tn.Value}: {reason}",
                passport,
                credential.Subject);
        }

        var ageText = age >= 0 ? $"{age} s old" : $"{-age} s ahead";
        return PassportVerdict.Valid(passport, credential.Subject, $"signed by {credential.Subject}; iat {iat} is {ageText}; \"{claim}\" tn {identity.Tn.Value} is within its authority");
    }

    // RFC 8224 §4.1: x5u equals info (simple string comparison, RFC 3986 §6.2.1), alg mirrors alg, and ppt
    // mirrors ppt.
    private static PassportVerdict? CheckIdentityHeader(Passport passport, SipIdentityHeader identityHeader)
    {
        var header = passport.Header;
        if (identityHeader.Info is not null && !string.Equals(identityHeader.Info, header.X5u, StringComparison.Ordinal))
        {
            return PassportVerdict.Invalid(
                PassportRule.IdentityHeaderMismatch,
                $"info <{identityHeader.Info}> differs from the header's x5u {(header.X5u is null ? "(absent)" : $"\"{header.X5u}\"")} (RFC 8224 §4.1)",
                passport);
        }

        if (identityHeader.Alg is not null && !string.Equals(identityHeader.Alg, header.Alg, StringComparison.Ordinal))
        {
            return PassportVerdict.Invalid(PassportRule.IdentityHeaderMismatch, $"alg={identityHeader.Alg} differs from the header's alg \"{header.Alg}\" (RFC 8224 §4.1)", passport);
        }

        if (!string.Equals(identityHeader.Ppt, header.Ppt, StringComparison.Ordinal))
        {
            return PassportVerdict.Invalid(
                PassportRule.IdentityHeaderMismatch,
                $"ppt parameter {(identityHeader.Ppt is null ? "(absent)" : $"\"{identityHeader.Ppt}\"")} differs from the header's ppt {(header.Ppt is null ? "(absent)" : $"\"{header.Ppt}\"")} (RFC 8224 §4.1)",
                passport);
        }

        return null;
    }

    // RFC 8946 §4.2 step 3 and §3: a diverting PASSporT keeps orig and diverts from one of the original's
    // destinations; and it cannot be issued before the call it diverts (beyond clock skew).
    private PassportVerdict? CheckLink(Passport diverting, Passport original, string where)
    {
        if (!diverting.Claims.Orig.Equals(original.Claims.Orig))
        {
            return PassportVerdict.Invalid(
                PassportRule.ChainOrigMismatch,
                $"{where}: \"orig\" {diverting.Claims.Orig} differs from the original's \"orig\" {original.Claims.Orig} (RFC 8946 §4.2 step 3)");
        }

        if (!original.Claims.Dest.Contains(diverting.Claims.Div!))
        {
            return PassportVerdict.Invalid(
                PassportRule.ChainDivMismatch,
                $"{where}: \"div\" {diverting.Claims.Div} is not a destination of the original ({original.Claims.Dest}) (RFC 8946 §3)");
        }

        var skew = (long)Options.FutureSkew.TotalSeconds;
        if (diverting.Claims.Iat < original.Claims.Iat - skew)
        {
            return PassportVerdict.Invalid(
                PassportRule.ChainIatOrder,
                $"{where}: \"iat\" {diverting.Claims.Iat} is {original.Claims.Iat - diverting.Claims.Iat} s before the original's \"iat\" {original.Claims.Iat}; a diversion cannot precede the call (limit {skew} s)");
        }

        return null;
    }

    private async ValueTask<PassportCallVerdict> VerifyCallCoreAsync(List<InputEntry> entries, TelephoneNumber? calledNumber, CancellationToken cancellationToken)
    {
        var count = entries.Count;
        if (count == 0)
        {
            return new PassportCallVerdict([], PassportRule.Malformed, "the call carries no PASSporT", null);
        }

        // RFC 8946 §4.2: link every div PASSporT to the PASSporT(s) whose dest holds its div and whose orig
        // is its orig. (A div-o carries its original inside and is linked by VerifyEntryAsync.)
        var parents = new List<int>[count];
        var linkFailures = new PassportVerdict?[count];
        for (var i = 0; i < count; i++)
        {
            parents[i] = [];
            var d = entries[i].Passport;
            if (d is null || d.Header.Ppt != PassportTypes.Div)
            {
                continue;
            }

            var candidates = Enumerable.Range(0, count).Where(j => j != i && entries[j].Passport is { } p && p.Claims.Dest.Contains(d.Claims.Div!)).ToList();
            parents[i].AddRange(candidates.Where(j => entries[j].Passport!.Claims.Orig.Equals(d.Claims.Orig)));
            if (parents[i].Count == 0)
            {
                linkFailures[i] = candidates.Count > 0
                    ? PassportVerdict.Invalid(
                        PassportRule.ChainOrigMismatch,
                        $"PASSporT #{i + 1} ({Describe(d)}): PASSporT #{candidates[0] + 1} has its div in \"dest\" but \"orig\" {entries[candidates[0]].Passport!.Claims.Orig}, not {d.Claims.Orig} (RFC 8946 §4.2 step 3)")
                    : PassportVerdict.Invalid(
                        PassportRule.ChainIncomplete,
                        $"PASSporT #{i + 1} ({Describe(d)}): no PASSporT of the call has {d.Claims.Div} in its \"dest\", so the chain to the original cannot be built (RFC 8946 §4.2)");
            }
        }

        var referenced = parents.SelectMany(p => p).ToHashSet();

        // A chain ends at an original (the one PASSporT in it that is not a div, RFC 8946 §4.2 step 3).
        var grounded = entries.Select(e => e.Passport is { } p && p.Header.Ppt != PassportTypes.Div).ToArray();
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = 0; i < count; i++)
            {
                if (!grounded[i] && entries[i].Passport is not null && parents[i].Any(j => grounded[j]))
                {
                    grounded[i] = changed = true;
                }
            }
        }

        var verdicts = new PassportVerdict[count];
        for (var i = 0; i < count; i++)
        {
            var entry = entries[i];
            verdicts[i] = entry.Passport is null
                ? entry.Early!
                : await VerifyEntryAsync(
                    entry.Passport,
                    entry.IdentityHeader,
                    expectedDest: null,
                    referenced.Contains(i) ? Options.OriginalFreshness : Options.Freshness,
                    cancellationToken);
        }

        for (var i = 0; i < count; i++)
        {
            if (!verdicts[i].IsValid)
            {
                return new PassportCallVerdict(verdicts, verdicts[i].Rule, $"PASSporT #{i + 1}: {verdicts[i].Message}", i);
            }
        }

        var links = 0;
        for (var i = 0; i < count; i++)
        {
            if (linkFailures[i] is { } failure)
            {
                return new PassportCallVerdict(verdicts, failure.Rule, failure.Message, i);
            }

            foreach (var j in parents[i])
            {
                links++;
                var where = $"link PASSporT #{i + 1} ({Describe(entries[i].Passport!)}) -> PASSporT #{j + 1} ({Describe(entries[j].Passport!)})";
                if (CheckLink(entries[i].Passport!, entries[j].Passport!, where) is { } broken)
                {
                    return new PassportCallVerdict(verdicts, broken.Rule, broken.Message, i);
                }
            }

            if (!grounded[i])
            {
                return new PassportCallVerdict(
                    verdicts,
                    PassportRule.ChainIncomplete,
                    $"PASSporT #{i + 1} ({Describe(entries[i].Passport!)}): its chain never reaches an original (non-div) PASSporT (RFC 8946 §4.2)",
                    i);
            }
        }

        // RFC 8946 §4.2 step 1: the outermost dest of every chain is the target of the call.
        if (calledNumber is not null)
        {
            for (var i = 0; i < count; i++)
            {
                if (!referenced.Contains(i) && !entries[i].Passport!.Claims.Dest.Contains(calledNumber))
                {
                    return new PassportCallVerdict(
                        verdicts,
                        PassportRule.DestMismatch,
                        $"PASSporT #{i + 1} ({Describe(entries[i].Passport!)}) ends its chain, and its \"dest\" ({entries[i].Passport!.Claims.Dest}) does not contain the called number {calledNumber.Value}",
                        i);
                }
            }
        }

        return new PassportCallVerdict(
            verdicts,
            PassportRule.None,
            string.Create(CultureInfo.InvariantCulture, $"{count} PASSporT(s) valid; {links} diversion link(s) verified"),
            null);
    }

    private static string Describe(Passport passport)
    {
        var claims = passport.Claims;
        var div = claims.Div is null ? string.Empty : $", div {claims.Div}";
        return $"ppt {DescribePpt(passport.Header.Ppt ?? PassportTypes.Baseline)}, orig {claims.Orig}{div}, dest {claims.Dest}";
    }

    private static string DescribePpt(string ppt) => ppt.Length == 0 ? "none" : $"\"{ppt}\"";

    private sealed record InputEntry(Passport? Passport, SipIdentityHeader? IdentityHeader, PassportVerdict? Early);
}
