using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Sip;

/// <summary>
/// RFC 8224 §4.1 (example in §5.1), RFC 8225 §7: rebuilds the full PASSporT a compact-form Identity value
/// (<c>..signature</c>) stands for from the request that carries it. The header is <c>alg</c> (the
/// <c>alg</c> parameter, ES256 when absent), <c>typ</c> "passport" and <c>x5u</c> (the <c>info</c> URI);
/// the claims are <c>orig</c> (the caller), <c>dest</c> (To), <c>iat</c> (Date) and, when the SDP offers
/// fingerprints, <c>mky</c> (RFC 8225 §5.2.2). Only baseline PASSporTs have a compact form: extensions
/// sign claims the signaling does not carry (RFC 8224 §9; RFC 8588 §3 for SHAKEN; RFC 8946 §3 for div).
/// </summary>
/// <remarks>
/// The result verifies only if the signer saw the same From, To and Date and serialized canonically; a
/// Date rewritten in transit breaks it, which is why RFC 8816 §5.3 stores the full form out of band.
/// </remarks>
internal static class SipCompactForm
{
    public static bool TryRebuild(
        SipInvite invite,
        SipIdentityHeader identity,
        PassportParseOptions options,
        [NotNullWhen(true)] out Passport? passport,
        [NotNullWhen(false)] out string? reason)
    {
        passport = null;
        if (identity.Ppt is not null)
        {
            reason = $"ppt={identity.Ppt}: an extended PASSporT signs claims the SIP request does not carry, so its compact form cannot be rebuilt; it needs the full form (RFC 8224 §9{(identity.Ppt == PassportTypes.Shaken ? ", RFC 8588 §3" : PassportTypes.IsDiversion(identity.Ppt) ? ", RFC 8946 §3" : string.Empty)})";
            return false;
        }

        if (identity.Info is null)
        {
            reason = "no ;info=<URI>, which gives the x5u of the compact form's header (RFC 8224 §4.1)";
            return false;
        }

        if (!PassportHeader.IsAcceptableX5u(identity.Info, options.AllowLoopbackHttpX5u, out var why))
        {
            reason = $"info <{SipNameAddress.Shorten(identity.Info)}> cannot be the header's x5u: it {why}";
            return false;
        }

        if (invite.Date is not { } date)
        {
            reason = "no Date header field, which gives the compact form's iat (RFC 8224 §4.1), so it cannot be rebuilt";
            return false;
        }

        if (!TryMediaKeys(invite, out var mky, out reason))
        {
            return false;
        }

        var callee = invite.Callee.Identity;
        var dest = callee.Tn is not null ? PassportDestination.Create([callee.Tn]) : PassportDestination.Create(null, [callee.Uri!]);
        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (mky is not null)
        {
            extensions["mky"] = mky.Value;
        }

        var claims = new PassportClaims(date.ToUnixTimeSeconds(), invite.Caller.Identity, dest, null, null, null, null, null, extensions);
        try
        {
            passport = Passport.FromCompactForm(identity.Token, new PassportHeader(identity.Info), claims, options);
        }
        catch (PassportFormatException e)
        {
            reason = $"the rebuilt PASSporT is malformed: {e.Message}";
            return false;
        }

        reason = null;
        return true;
    }

    // RFC 8225 §5.2.2: one {"alg","dig"} per a=fingerprint line of the SDP (RFC 8122 §5), dig without the
    // colons, sorted by the UTF-8 of alg followed by dig.
    private static bool TryMediaKeys(SipInvite invite, out JsonElement? mky, [NotNullWhen(false)] out string? reason)
    {
        mky = null;
        reason = null;
        var contentType = invite.GetHeaderFields(SipHeaderNames.ContentType).FirstOrDefault()?.Value;
        if (invite.Body.IsEmpty || contentType is null || !contentType.Split(';')[0].Trim().Equals("application/sdp", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string sdp;
        try
        {
            sdp = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(invite.Body.Span);
        }
        catch (DecoderFallbackException)
        {
            reason = "the SDP body is not UTF-8, so its fingerprints (the mky claim, RFC 8225 §5.2.2) cannot be read";
            return false;
        }

        var keys = new List<(string Alg, string Dig)>();
        foreach (var rawLine in sdp.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (!line.StartsWith("a=fingerprint:", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line["a=fingerprint:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !parts[0].All(SipHeaderNames.IsTokenChar) || !parts[1].All(c => char.IsAsciiHexDigit(c) || c == ':'))
            {
                reason = $"SDP line \"{SipNameAddress.Shorten(line)}\" is not a=fingerprint:<hash-func> <hex:hex:...> (RFC 8122 §5)";
                return false;
            }

            keys.Add((parts[0], parts[1].Replace(":", string.Empty, StringComparison.Ordinal)));
        }

        if (keys.Count == 0)
        {
            return true;
        }

        keys.Sort((a, b) => string.CompareOrdinal(a.Alg + a.Dig, b.Alg + b.Dig));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (alg, dig) in keys)
            {
                writer.WriteStartObject();
                writer.WriteString("alg", alg);
                writer.WriteString("dig", dig);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        mky = document.RootElement.Clone();
        return true;
    }
}
