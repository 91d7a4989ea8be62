using Stir.Encrypted.Sip;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The originating gateway of use case 4 (RFC 8816 §5.4, §8.3): before a SIP call crosses into the PSTN, where its
/// Identity header fields would be lost, it lifts every PASSporT of the INVITE and stores them out of band for the
/// call's (orig, target), sealed to every key holder of the target.
/// </summary>
/// <remarks>
/// "Already stored" is what this gateway knows, not what the CPS holds: a caller cannot see the CPS's contents
/// (blobs are sealed to the callee's keys under an index secret from the CPS), and asking would reveal its interest. So the
/// gateway remembers, by a hash of each PASSporT's signature, the PASSporTs it stored within
/// <see cref="GatewayStoreOptions.StoredWindow"/> (their freshness window), and skips an INVITE whose PASSporTs
/// were all stored already (a retransmission, a forked or looped INVITE). Gateways that share the work share one
/// <see cref="GatewayStore"/>; another gateway's store of the same PASSporT is not seen, and a second store is
/// harmless: the callee's verifier consumes the PASSporT once.
/// </remarks>
public sealed class GatewayStore
{
    private readonly CallPlacer _placer;
    private readonly GatewayStoreOptions _options;
    private readonly ConsumedPassports _stored;

    /// <summary>A gateway storing through <paramref name="placer"/> (configured without a signer: it stores the PASSporTs it lifts).</summary>
    public GatewayStore(CallPlacer placer, GatewayStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(placer);
        _placer = placer;
        _options = options ?? new GatewayStoreOptions();
        _stored = new ConsumedPassports(_options.TimeProvider, _options.StoredWindow, _options.StoredCapacity);
    }

    /// <summary>Lifts the PASSporTs of <paramref name="invite"/> and stores them out of band, unless this gateway already did.</summary>
    public async Task<GatewayStoreReport> StoreAsync(SipInvite invite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invite);
        var lifted = SipGateway.Lift(invite, _options.ParseOptions);
        GatewayStoreReport Skip(string detail, bool alreadyStored = false) => new(lifted, null, alreadyStored, detail);

        if (lifted.Passports.Count == 0)
        {
            return Skip(lifted.Problems.Count == 0
                ? "the INVITE carries no Identity header field: nothing to store"
                : $"no usable Identity header field: {string.Join("; ", lifted.Problems)}");
        }

        // RFC 8224 §6.2 step 2: PASSporTs that are not about this call would be stored under a call they do not
        // describe (the index binds orig and target), where no verifier would accept them.
        if (!lifted.NumberCheck.IsMatch)
        {
            return Skip($"the PASSporTs are not about this call: {lifted.NumberCheck}");
        }

        // RFC 8946 §4.2: a retargeted call goes to the Request-URI; its div PASSporT names that target.
        var orig = lifted.Orig.Number;
        var target = lifted.Target.Number ?? lifted.Dest.Number;
        if (orig is null || target is null)
        {
            return Skip($"out-of-band storage needs telephone numbers: {(orig is null ? lifted.Orig.NoNumberReason : lifted.Target.NoNumberReason)}");
        }

        var fresh = lifted.Passports.Where(p => _stored.TryConsume(p, out _)).ToList();
        if (fresh.Count == 0)
        {
            return Skip($"all {lifted.Passports.Count} PASSporT(s) were already stored by this gateway within {_options.StoredWindow.TotalSeconds:F0} s", alreadyStored: true);
        }

        // The whole set goes into one blob (a div needs its original beside it), even when only some are new.
        var placement = await _placer.StoreAsync(orig, target, [.. lifted.Passports.Select(p => p.Token)], cancellationToken);
        if (!placement.Stored)
        {
            foreach (var passport in fresh)
            {
                _stored.Forget(passport);
            }
        }

        return new GatewayStoreReport(lifted, placement, false, placement.Detail);
    }
}
