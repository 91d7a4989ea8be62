using System.Diagnostics.CodeAnalysis;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Sip;

/// <summary>
/// The SIP side of a STIR out-of-band gateway: <see cref="Lift(SipInvite, PassportParseOptions?)"/> takes the
/// PASSporTs out of an INVITE before the call crosses the PSTN (RFC 8816 §5.4, §8.3);
/// <see cref="Insert(SipInvite, IEnumerable{Passport})"/> puts PASSporTs retrieved out of band into a new
/// INVITE (RFC 8816 §5.3 subcase 1); <see cref="CheckNumbers(SipInvite, IEnumerable{Passport})"/> says
/// whether PASSporTs are about the call the signaling describes.
/// </summary>
/// <remarks>
/// Neither lift nor insert verifies signatures or certificates: that is <see cref="PassportVerifier"/>'s
/// job, which a gateway may run before storing (RFC 8224 §6.2) or leave to the terminating side.
/// </remarks>
public static class SipGateway
{
    /// <summary>
    /// Lifts the PASSporTs of every Identity header field: full forms as they are, compact forms rebuilt
    /// from the signaling (RFC 8224 §4.1). A header field that is malformed, unsupported, inconsistent with
    /// its PASSporT (RFC 8224 §4.1) or a repeat is left out and reported in <see cref="SipLiftResult.Problems"/>;
    /// the others are still lifted (RFC 8224 §6.2.1). Never throws for what the request contains.
    /// </summary>
    public static SipLiftResult Lift(SipInvite invite, PassportParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(invite);
        options ??= PassportParseOptions.Default;
        var passports = new List<Passport>();
        var sources = new List<int>();
        var problems = new List<SipIdentityProblem>();
        for (var i = 0; i < invite.IdentityHeaders.Count; i++)
        {
            var field = invite.IdentityHeaders[i];
            if (TryLiftOne(invite, field.Value, options, out var passport, out var reason))
            {
                var repeat = passports.FindIndex(p => p.Token == passport.Token);
                if (repeat >= 0)
                {
                    problems.Add(new SipIdentityProblem(i + 1, field.Line, $"repeats the PASSporT of Identity #{sources[repeat]}"));
                    continue;
                }

                passports.Add(passport);
                sources.Add(i + 1);
            }
            else
            {
                problems.Add(new SipIdentityProblem(i + 1, field.Line, reason));
            }
        }

        var set = new PassportSet(passports);
        return new SipLiftResult(invite.Caller, invite.Callee, invite.Target, set, sources.AsReadOnly(), problems.AsReadOnly(), CheckNumbers(invite, set));
    }

    /// <summary>
    /// The Identity header value that carries <paramref name="passport"/> in SIP: always the full form
    /// (RFC 8816 §5.3: a re-inserted PASSporT must not depend on the new request's Date), with
    /// <c>;info=&lt;x5u&gt;;alg=ES256</c> and <c>;ppt</c> for an extension (RFC 8224 §4.1).
    /// </summary>
    /// <returns>
    /// False for a PASSporT with <c>x5c</c> but no <c>x5u</c>: RFC 8224 §4 requires <c>info</c> and §4.1
    /// requires <c>x5u</c> to equal it, so no <c>info</c> value makes a valid header, and a made-up one
    /// (a data: URI, the gateway's own URL) would be rejected by every verifier that checks §4.1. Such a
    /// PASSporT stays deliverable out of band only; its signer must sign one with <c>x5u</c> for SIP.
    /// </returns>
    public static bool TryGetIdentityHeader(Passport passport, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(passport);
        if (passport.Header.X5u is null)
        {
            value = null;
            reason = "has x5c but no x5u: RFC 8224 §4 requires ;info=<URI> and §4.1 requires x5u to equal it, so it cannot be carried in an Identity header field (out of band only)";
            return false;
        }

        value = passport.ToIdentityHeader();
        reason = null;
        return true;
    }

    /// <summary>
    /// A new INVITE made from <paramref name="template"/> with one Identity header field per PASSporT
    /// (<see cref="TryGetIdentityHeader"/>). Identity header fields the template already has are kept
    /// (RFC 8946 §4.1: never remove an original), PASSporTs it already carries (full or compact form) are
    /// not repeated, and those that cannot be carried are reported in <see cref="SipInsertResult.Skipped"/>.
    /// </summary>
    /// <exception cref="SipFormatException">The new INVITE would break a cap of the limits the template was parsed with.</exception>
    public static SipInsertResult Insert(SipInvite template, IEnumerable<Passport> passports)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(passports);
        var list = passports.ToArray();
        var carried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in template.IdentityHeaders)
        {
            if (TryParseIdentity(field.Value, out var header))
            {
                carried.Add(header.Token);
            }
        }

        var added = new List<string>();
        var skipped = new List<SipIdentityProblem>();
        var inserted = new List<Passport>();
        for (var i = 0; i < list.Length; i++)
        {
            var passport = list[i];
            ArgumentNullException.ThrowIfNull(passport, nameof(passports));
            if (carried.Contains(passport.Token) || carried.Contains(passport.CompactForm))
            {
                inserted.Add(passport);
                continue;
            }

            if (!TryGetIdentityHeader(passport, out var value, out var reason))
            {
                skipped.Add(new SipIdentityProblem(i + 1, 0, reason));
                continue;
            }

            carried.Add(passport.Token);
            added.Add(value);
            inserted.Add(passport);
        }

        var invite = template.WithIdentityHeaders(template.IdentityHeaders.Select(f => f.Value).Concat(added));
        return new SipInsertResult(invite, added.AsReadOnly(), skipped.AsReadOnly(), CheckNumbers(invite, inserted));
    }

    /// <summary>
    /// Whether each PASSporT is about this request (RFC 8224 §6.2 step 2 and §12.1 against cut-and-paste):
    /// its <c>orig</c> is the caller of From or a P-Asserted-Identity (RFC 8224 §8 lets policy read either),
    /// and its <c>dest</c> holds the To or Request-URI callee. A PASSporT that a div PASSporT of the set
    /// diverts from is exempt from the dest check: the call has moved on (RFC 8946 §4.2 leaves To aside).
    /// </summary>
    public static SipNumberCheck CheckNumbers(SipInvite invite, IEnumerable<Passport> passports)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(passports);
        var list = passports.ToArray();
        var callers = invite.PAssertedIdentities.Select(p => new SipCallIdentity("P-Asserted-Identity", p.Line, p.Uri))
            .Prepend(new SipCallIdentity("From", invite.From.Line, invite.From.Uri)).ToArray();
        var callees = new[] { invite.Callee, invite.Target };
        var mismatches = new List<string>();
        for (var i = 0; i < list.Length; i++)
        {
            var claims = list[i].Claims;
            if (!callers.Any(c => c.Identity.Equals(claims.Orig)))
            {
                mismatches.Add($"PASSporT #{i + 1}: \"orig\" {claims.Orig} is not the caller the request shows: {string.Join(", ", callers.Select(c => Describe(c, claims.Orig)))}");
            }

            var diverted = list.Where((d, j) => j != i && d.Header.Ppt == PassportTypes.Div && d.Claims.Div is not null
                && claims.Dest.Contains(d.Claims.Div) && d.Claims.Orig.Equals(claims.Orig)).Any();
            if (!diverted && !callees.Any(c => claims.Dest.Contains(c.Identity)))
            {
                mismatches.Add($"PASSporT #{i + 1}: \"dest\" ({claims.Dest}) holds neither callee the request shows: {string.Join(", ", callees.Select(c => Describe(c, null)))}");
            }
        }

        return new SipNumberCheck(mismatches.AsReadOnly());
    }

    private static string Describe(SipCallIdentity identity, PassportIdentity? wanted)
    {
        var text = $"{identity.Header} {identity.Identity} (line {identity.Line})";
        return identity.Number is null && (wanted is null || wanted.Tn is not null) ? $"{text}, which has no number: {identity.NoNumberReason}" : text;
    }

    private static bool TryLiftOne(SipInvite invite, string value, PassportParseOptions options, [NotNullWhen(true)] out Passport? passport, [NotNullWhen(false)] out string? reason)
    {
        passport = null;

        // RFC 8224 §4: Identity = "Identity" HCOLON signed-identity-digest SEMI ident-info *( SEMI ident-info-params ),
        // one value with no #list, so RFC 3261 §7.3.1 does not allow several values joined by commas. A comma
        // outside <...> and "..." therefore means joined values (or garbage); they are refused, not split.
        if (HasBareComma(value))
        {
            reason = "holds a comma outside <...>: RFC 8224 §4 defines Identity as one PASSporT with its parameters (no #list), so RFC 3261 §7.3.1 forbids joining values with commas; send each PASSporT in its own Identity header field";
            return false;
        }

        if (!TryParseIdentity(value, out var header, out reason))
        {
            return false;
        }

        if (header.Info is null)
        {
            reason = "no ;info=<URI> parameter, which RFC 8224 §4 requires";
            return false;
        }

        if (header.Alg is not null && header.Alg != PassportHeader.Es256)
        {
            reason = $"alg={header.Alg} is not supported: ES256 is the only PASSporT algorithm (RFC 8224 §4.1, RFC 8225 §4.2)";
            return false;
        }

        // RFC 8224 §6.2 step 1: an Identity header field with an unsupported ppt is ignored.
        if (header.Ppt is not null && !PassportTypes.IsSupported(header.Ppt))
        {
            reason = $"ppt={header.Ppt} is not supported, so the header field is ignored (RFC 8224 §6.2 step 1)";
            return false;
        }

        if (header.IsCompactForm)
        {
            if (!SipCompactForm.TryRebuild(invite, header, options, out passport, out var why))
            {
                reason = $"compact form: {why}";
                return false;
            }

            return true;
        }

        if (!Passport.TryParse(header.Token, out passport, out var error, options))
        {
            reason = error.Message;
            return false;
        }

        // RFC 8224 §4.1: x5u equals info (simple string comparison, RFC 3986 §6.2.1), and ppt mirrors ppt.
        var jose = passport.Header;
        if (!string.Equals(header.Info, jose.X5u, StringComparison.Ordinal))
        {
            reason = $"info <{SipNameAddress.Shorten(header.Info)}> differs from the PASSporT's x5u {(jose.X5u is null ? "(absent)" : $"\"{SipNameAddress.Shorten(jose.X5u)}\"")} (RFC 8224 §4.1)";
            passport = null;
            return false;
        }

        if (!string.Equals(header.Ppt, jose.Ppt, StringComparison.Ordinal))
        {
            reason = $"ppt parameter {(header.Ppt is null ? "(absent)" : $"\"{header.Ppt}\"")} differs from the PASSporT's ppt {(jose.Ppt is null ? "(absent)" : $"\"{jose.Ppt}\"")} (RFC 8224 §4.1)";
            passport = null;
            return false;
        }

        return true;
    }

    private static bool TryParseIdentity(string value, [NotNullWhen(true)] out SipIdentityHeader? header)
        => TryParseIdentity(value, out header, out _);

    private static bool TryParseIdentity(string value, [NotNullWhen(true)] out SipIdentityHeader? header, [NotNullWhen(false)] out string? reason)
    {
        try
        {
            header = SipIdentityHeader.Parse(value);
            reason = null;
            return true;
        }
        catch (PassportFormatException e)
        {
            header = null;
            reason = e.Message;
            return false;
        }
    }

    private static bool HasBareComma(string value)
    {
        var inAngle = false;
        var inQuotes = false;
        foreach (var c in value)
        {
            if (inAngle)
            {
                inAngle = c != '>';
            }
            else if (inQuotes)
            {
                inQuotes = c != '"';
            }
            else if (c == '<')
            {
                inAngle = true;
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (c == ',')
            {
                return true;
            }
        }

        return false;
    }
}
