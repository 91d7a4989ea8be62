using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The terminating gateway of use case 3 (RFC 8816 §5.3 subcase 1): a call arrives from the PSTN without its
/// Identity header fields; the gateway retrieves and verifies its PASSporTs out of band with the callee's keys
/// (<see cref="CallVerifier"/>), and puts the verified ones back into the INVITE it sends on to SIP
/// (<see cref="SipGateway.Insert"/>), so that the next verification service sees an ordinary STIR call.
/// </summary>
public sealed class GatewayDeliver
{
    private readonly CallVerifier _verifier;
    private readonly PassportParseOptions _parseOptions;

    /// <summary>A gateway retrieving and verifying through <paramref name="verifier"/>.</summary>
    public GatewayDeliver(CallVerifier verifier, PassportParseOptions? parseOptions = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        _verifier = verifier;
        _parseOptions = parseOptions ?? PassportParseOptions.Default;
    }

    /// <summary>
    /// Verifies the call <paramref name="incoming"/> describes (its caller, and its Request-URI target, RFC 8946 §4.2)
    /// and, when it passes, returns the INVITE with the PASSporTs inserted. A call that does not pass is forwarded
    /// as it came: nothing unverified is inserted.
    /// </summary>
    public async Task<GatewayDelivery> DeliverAsync(SipInvite incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var orig = incoming.Caller.Number;
        var called = incoming.Target.Number ?? incoming.Callee.Number;
        if (orig is null || called is null)
        {
            var why = orig is null ? incoming.Caller.NoNumberReason : incoming.Target.NoNumberReason;
            return new GatewayDelivery(null, incoming, null, $"out-of-band retrieval needs telephone numbers: {why}");
        }

        var verdict = await _verifier.VerifyAsync(orig, called, cancellationToken);
        if (verdict.Verstat != Verstat.TnValidationPassed)
        {
            return new GatewayDelivery(verdict, incoming, null, $"not inserted: {verdict}");
        }

        var passports = verdict.Tokens.Select(t => Passport.Parse(t, _parseOptions)).ToList();
        var inserted = SipGateway.Insert(incoming, passports);
        var detail = inserted.Skipped.Count == 0
            ? $"{inserted.IdentityValues.Count} Identity header field(s) inserted"
            : $"{inserted.IdentityValues.Count} Identity header field(s) inserted; not carried in SIP: {string.Join("; ", inserted.Skipped)}";
        return new GatewayDelivery(verdict, inserted.Invite, inserted, detail);
    }
}
