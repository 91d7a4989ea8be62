using Stir.Encrypted.Cps;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The caller's side of an out-of-band call (RFC 8816 §8.1, spec/protocol.md §1): finds the callee's CPS, gets
/// every key holder of the called number, signs a PASSporT if none is given, and stores one blob sealed to all of
/// them in the call's bucket, in one request. Reports every step with its time. Failures that should let the
/// call proceed unverified (no key holder, CPS unreachable) are a report, not an exception.
/// </summary>
public sealed class CallPlacer
{
    private readonly ICallRouter _router;
    private readonly IKeyHolderSource _keys;
    private readonly CallPlacerOptions _options;
    private readonly CpsSessions _sessions;

    /// <summary>Creates a placer.</summary>
    /// <exception cref="IOException">The options' <see cref="CpsClientOptions.KnownConfigurationsFile"/> exists but cannot be read.</exception>
    /// <exception cref="KnownCpsConfigurationsFormatException">That file is damaged.</exception>
    public CallPlacer(HttpClient http, ICallRouter router, IKeyHolderSource keys, CallPlacerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(keys);
        _router = router;
        _keys = keys;
        _options = options ?? new CallPlacerOptions();
        if (_options.Signer is not null && _options.SignerX5u is null && _options.SignerChain is not { Count: > 0 })
        {
            throw new ArgumentException("a signer needs its certificate: SignerX5u or SignerChain", nameof(options));
        }

        _sessions = new CpsSessions(http, _options.Cps);
    }

    /// <summary>
    /// Stores the PASSporTs of a call from <paramref name="orig"/> to <paramref name="dest"/> before it is placed.
    /// With <paramref name="passports"/> null, signs one with the configured signer (an authentication service);
    /// otherwise stores the given full-form PASSporTs as they are (a gateway lifting them from SIP).
    /// </summary>
    public async Task<PlacementReport> StoreAsync(TelephoneNumber orig, TelephoneNumber dest, IReadOnlyList<string>? passports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orig);
        ArgumentNullException.ThrowIfNull(dest);
        CpsConfigurationChange? change = null;
        var report = await StoreCoreAsync(orig, dest, passports, c => change = c, cancellationToken);
        report.ConfigurationChange = change;
        return report;
    }

    private async Task<PlacementReport> StoreCoreAsync(TelephoneNumber orig, TelephoneNumber dest, IReadOnlyList<string>? passports, Action<CpsConfigurationChange?> configurationChanged, CancellationToken cancellationToken)
    {
        var steps = new List<CallStep>();
        var time = _options.TimeProvider;
        var clock = time.GetTimestamp();

        void Step(string name, string detail)
        {
            var now = time.GetTimestamp();
            steps.Add(new CallStep(name, time.GetElapsedTime(clock, now), detail));
            clock = now;
        }

        PlacementReport Fail(Uri? cps, string detail, IReadOnlyList<string>? tokens = null) => new(false, detail, cps, 0, 0, tokens ?? [], steps);

        // 1. Which CPS serves the called number.
        Uri cps;
        try
        {
            cps = await _router.FindCpsAsync(dest, cancellationToken);
        }
        catch (CallRoutingException e)
        {
            Step("route", e.Message);
            return Fail(null, $"no CPS for the called number: {e.Message}");
        }

        Step("route", cps.Authority);

        // 2. Its configuration (cached), and the key holders of the called number (verified by the source).
        // A configuration weaker than the client's floors is refused here: nothing is stored (spec/protocol.md §7).
        var client = _sessions.ClientFor(cps);
        CpsConfiguration config;
        CpsConfigurationChange? change;
        try
        {
            var check = await client.CheckConfigurationAsync(cancellationToken);
            (config, change) = (check.Configuration, check.Change);
            configurationChanged(change);
        }
        catch (CpsProblemException e)
        {
            Step("config", e.Message);
            return Fail(cps, $"the CPS gave no usable configuration: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Step("config", e.Message);
            return Fail(cps, $"the CPS configuration could not be recorded in the known-configurations file: {e.Message}");
        }

        Step("config", $"epoch {config.Index.EpochSeconds} s, {config.Index.BucketBits}-bit buckets{(change is null ? string.Empty : $"; {change}")}");
        KeyHolderLookup lookup;
        try
        {
            lookup = await _keys.LookupHolderKeysAsync(dest, cancellationToken);
        }
        catch (CallRoutingException e)
        {
            Step("keys", e.Message);
            return Fail(cps, $"the called number's keys cannot be had, so the call goes unverified: {e.Message}");
        }

        var holders = lookup.Keys.Where(k => k.Kem == BlobSealer.Suite.Kem).ToList();
        Step("keys", $"{holders.Count} key holder(s), from {lookup.Source}");
        if (holders.Count == 0)
        {
            return Fail(cps, "the called number has no key holder with an X25519 key: nothing can be encrypted to it, so the call goes unverified");
        }

        // 3. The PASSporTs: given (gateway) or signed now (authentication service).
        IReadOnlyList<string> tokens;
        if (passports is { Count: > 0 })
        {
            tokens = passports;
            Step("sign", $"{tokens.Count} PASSporT(s) given");
        }
        else if (_options.Signer is { } signer)
        {
            var builder = new PassportBuilder().WithOrig(orig).AddDest(dest);
            builder = _options.SignerX5u is { } x5u ? builder.WithX5u(x5u) : builder.WithX5c(_options.SignerChain!);
            if (_options.Attest is { } attest)
            {
                builder = builder.WithShaken(attest, Guid.NewGuid());
            }

            tokens = [builder.Sign(signer).Token];
            Step("sign", _options.Attest is null ? "basic PASSporT" : $"SHAKEN PASSporT, attestation {_options.Attest}");
        }
        else
        {
            return Fail(cps, "no PASSporT given and no signer configured");
        }

        // 4. One index for the call, one blob sealed to every holder (spec/protocol.md §4, §5): all holders read the
        // same bucket, so the call arrives there as a single slot renewal (⌈H/R⌉ blobs at once beyond R holders).
        var epoch = config.Index.EpochAt(time.GetUtcNow());
        var index = _sessions.CacheFor(cps, config).Derive(orig, dest, epoch);
        Step("index", $"epoch {epoch}, 1 bucket");
        IReadOnlyList<byte[]> blobs;
        try
        {
            blobs = BlobSealer.Seal(config, index, tokens, holders);
        }
        catch (ArgumentException e)
        {
            Step("seal", e.Message);
            return Fail(cps, $"cannot seal: {e.Message}", tokens);
        }

        var sealedFor = holders.Distinct().Count();
        Step("seal", $"{Plural(blobs.Count, "blob")} of {blobs[0].Length} bytes for {Plural(sealedFor, "holder")}");

        // 5. Store them in one request; acknowledged = durable at the CPS.
        try
        {
            await client.StoreAsync(index, blobs, null, cancellationToken);
        }
        catch (CpsProblemException e)
        {
            Step("store", e.Message);
            return new PlacementReport(false, $"the CPS did not store the call's blob: {e.Message}", cps, epoch, 0, tokens, steps);
        }

        Step("store", $"{Plural(blobs.Count, "blob")} acknowledged, in 1 request");
        return new PlacementReport(true, $"stored for {Plural(sealedFor, "key holder")} at {cps.Authority}", cps, epoch, blobs.Count, tokens, steps);
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
