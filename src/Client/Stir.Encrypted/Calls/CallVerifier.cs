using Stir.Encrypted.Cps;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The callee's side of an out-of-band call (RFC 8816 §8.2): derives the call's index for each epoch the call may
/// fall in, fetches those buckets, trial-opens every blob with every key it holds for the called number, verifies
/// what opens (signature, chain and TNAuthList over orig, dest, freshness, diversion chain), consumes the
/// PASSporT once, and answers a verstat. The CPS being down or holding nothing for the call gives
/// No-TN-Validation in bounded time: the call proceeds unverified.
/// </summary>
public sealed class CallVerifier
{
    private readonly ICallRouter _router;
    private readonly CalleeKeyRing _keys;
    private readonly PassportVerifier _verifier;
    private readonly CallVerifierOptions _options;
    private readonly CpsSessions _sessions;
    private readonly ConsumedPassports _consumed;

    /// <summary>Creates a verifier.</summary>
    /// <exception cref="IOException">The options' <see cref="CpsClientOptions.KnownConfigurationsFile"/> exists but cannot be read.</exception>
    /// <exception cref="KnownCpsConfigurationsFormatException">That file is damaged.</exception>
    public CallVerifier(HttpClient http, ICallRouter router, CalleeKeyRing keys, PassportVerifier verifier, CallVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(verifier);
        _router = router;
        _keys = keys;
        _verifier = verifier;
        _options = options ?? new CallVerifierOptions();
        _sessions = new CpsSessions(http, _options.Cps);
        _consumed = new ConsumedPassports(_options.TimeProvider, _options.ConsumedWindow, _options.ConsumedCapacity, _options.ConsumedStateFile);
    }

    /// <summary>Verifies an incoming call presenting <paramref name="presentedOrig"/> to <paramref name="called"/>.</summary>
    public async Task<CallVerdict> VerifyAsync(TelephoneNumber presentedOrig, TelephoneNumber called, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presentedOrig);
        ArgumentNullException.ThrowIfNull(called);
        CpsConfigurationChange? change = null;
        var verdict = await VerifyCoreAsync(presentedOrig, called, c => change = c, cancellationToken);
        verdict.ConfigurationChange = change;
        return verdict;
    }

    private async Task<CallVerdict> VerifyCoreAsync(TelephoneNumber presentedOrig, TelephoneNumber called, Action<CpsConfigurationChange?> configurationChanged, CancellationToken cancellationToken)
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

        CallVerdict Verdict(Verstat verstat, string reason, bool suspicious = false, PassportCallVerdict? passports = null, IReadOnlyList<string>? tokens = null) =>
            new(verstat, reason, suspicious, passports, tokens ?? [], steps);

        var keys = _keys.KeysFor(called);
        if (keys.Count == 0)
        {
            return Verdict(Verstat.NoTnValidation, "this verifier holds no key for the called number");
        }

        // 1. The CPS and its configuration; one weaker than the client's floors is refused and nothing is retrieved.
        Uri cps;
        CpsConfiguration config;
        CpsConfigurationChange? change;
        CpsClient client;
        try
        {
            cps = await _router.FindCpsAsync(called, cancellationToken);
            client = _sessions.ClientFor(cps);
            var check = await client.CheckConfigurationAsync(cancellationToken);
            (config, change) = (check.Configuration, check.Change);
            configurationChanged(change);
        }
        catch (Exception e) when (e is CallRoutingException or CpsProblemException)
        {
            Step("route", e.Message);
            return Verdict(Verstat.NoTnValidation, $"no CPS answer, the call proceeds unverified: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Step("route", e.Message);
            return Verdict(Verstat.NoTnValidation, $"the CPS configuration could not be recorded in the known-configurations file, the call proceeds unverified: {e.Message}");
        }

        Step("route", change is null ? cps.Authority : $"{cps.Authority}; config {change}");

        // 2. The call's index in every epoch it may fall in (spec/protocol.md §5): one bucket per epoch, whatever the
        // number of keys held, since the index does not depend on the key.
        var epochs = config.Index.CandidateEpochs(time.GetUtcNow(), config.Retention.MaxSeconds, config.ClockSkewSeconds);
        var cache = _sessions.CacheFor(cps, config);
        var indexes = epochs.Select(epoch => cache.Derive(presentedOrig, called, epoch)).ToList();
        Step("index", indexes.Count == 1 ? "1 bucket" : $"{indexes.Count} buckets, one per epoch");

        // 3. Fetch the buckets in parallel and trial-open every blob with every key held for the number (§4).
        IReadOnlyList<ReadOnlyMemory<byte>>[] buckets;
        try
        {
            buckets = await Task.WhenAll(indexes.Select(index => client.RetrieveAsync(index.Epoch, index.BucketText, cancellationToken)));
        }
        catch (CpsProblemException e)
        {
            Step("retrieve", e.Message);
            return Verdict(Verstat.NoTnValidation, $"the CPS did not answer, the call proceeds unverified: {e.Message}");
        }

        Step("retrieve", $"{buckets.Sum(b => b.Count)} blob(s)");
        var opened = indexes.SelectMany((index, i) => BucketOpener.Open(index, buckets[i], keys)).ToList();
        Step("open", $"{opened.Count} blob(s) opened with {keys.Count} key(s)");
        if (opened.Count == 0)
        {
            return Verdict(Verstat.NoTnValidation, "no PASSporT is stored for this call (nothing in the buckets opens for it)");
        }

        // 4. Verify each opened PASSporT set; the first valid one decides.
        PassportCallVerdict? lastFailure = null;
        IReadOnlyList<string> lastTokens = [];
        string? malformed = null;
        foreach (var blob in opened)
        {
            if (blob.FormatError is not null)
            {
                malformed = blob.FormatError;
                continue;
            }

            var verdict = await _verifier.VerifyCallAsync(blob.Passports, called, cancellationToken);
            if (!verdict.IsValid)
            {
                lastFailure = verdict;
                lastTokens = blob.Passports;
                continue;
            }

            // The index already binds the presented orig; check it in the PASSporTs too (RFC 8946 copies orig into
            // div PASSporTs, so every PASSporT of the set names it, a div-o's nested original included).
            var passports = verdict.Verdicts.Select(v => v.Passport).OfType<Passport>().ToList();
            var others = passports.Where(p => p.Claims.Orig.Tn != presentedOrig).Select(p => p.Claims.Orig.Tn?.Value ?? p.Claims.Orig.Uri ?? "?").Distinct().ToList();
            if (passports.Count == 0 || others.Count > 0)
            {
                Step("verify", "the PASSporT's orig is not the presented number");
                return Verdict(Verstat.TnValidationFailed, $"the PASSporT is for orig {string.Join(", ", others)}, not the presented {presentedOrig.Value}", false, verdict, blob.Passports);
            }

            Step("verify", verdict.Message);

            // 5. Consume once: a PASSporT accepted for one call is suspicious on a second (RFC 8816 §7.4).
            foreach (var passport in verdict.Verdicts.Select(v => v.Passport).OfType<Passport>())
            {
                if (!_consumed.TryConsume(passport, out var firstUse))
                {
                    var ago = time.GetUtcNow() - firstUse;
                    Step("consume", "already used");
                    return Verdict(Verstat.TnValidationFailed, $"this PASSporT already verified another call {ago.TotalSeconds:F0} s ago: a replay or a substitution (RFC 8816 §7.4)", true, verdict, blob.Passports);
                }
            }

            Step("consume", "first use");
            return Verdict(Verstat.TnValidationPassed, verdict.Message, false, verdict, blob.Passports);
        }

        Step("verify", lastFailure?.Message ?? malformed ?? "no usable PASSporT");
        return lastFailure is not null
            ? Verdict(Verstat.TnValidationFailed, $"{lastFailure.Rule}: {lastFailure.Message}", false, lastFailure, lastTokens)
            : Verdict(Verstat.TnValidationFailed, $"a blob for this call opened but its content is malformed: {malformed}");
    }
}
