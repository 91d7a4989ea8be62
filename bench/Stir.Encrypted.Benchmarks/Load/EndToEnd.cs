using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Benchmarks.Load;

/// <summary>
/// <c>e2e</c> mode: whole calls on loopback against a running CPS process, one after the other, through the
/// library's own call flows: the caller's <see cref="CallPlacer.StoreAsync"/> (route, config, key holders, sign,
/// index, seal one blob to the <see cref="Holders"/> holders, POST it) and then the callee's
/// <see cref="CallVerifier.VerifyAsync"/> (index, GET, trial-open the bucket, verify, replay check), timed step
/// by step by the flows themselves. Every call must come out <see cref="Verstat.TnValidationPassed"/>.
/// </summary>
/// <remarks>
/// The index function (Argon2id, tens of ms on purpose) is kept off the call path as deployments keep it: by
/// the <see cref="Cps.DestinationKeyCache"/> each side holds per CPS, warmed before the measured calls (a callee
/// prepares its own numbers ahead of each epoch; a caller its frequent destinations). The warm-up calls, one
/// per destination, pay Argon2id on both sides and are reported separately as the cold index cost. PASSporTs
/// are verified with a static key (no certificate chain or x5u fetch), as in the flow harness.
/// </remarks>
internal static class EndToEnd
{
    private const int Holders = 2;
    private const int Destinations = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        var cps = new Uri(CommandLine.Text(args, "--cps", "http://127.0.0.1:18182/"));
        var calls = CommandLine.Int(args, "--calls", 2000);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var router = new StaticCallRouter(cps);
        using var signingKey = PassportSigningKey.Generate();
        using var publicKey = signingKey.ExportPublicKey();
        var holders = new HolderKeys();
        using var ring = new CalleeKeyRing();
        var dests = Enumerable.Range(0, Destinations).Select(i => TelephoneNumber.ParseCanonical(string.Create(CultureInfo.InvariantCulture, $"1303555{i:D4}"))).ToList();
        var keys = new List<HpkePrivateKey>();
        foreach (var dest in dests)
        {
            // The callee's own key (held by its verifier) and a second holder (e.g. its carrier) the caller also seals to.
            var callee = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
            var other = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
            keys.Add(other);
            holders.Add(dest, callee.PublicKey, other.PublicKey);
            ring.Add(dest, callee);
        }

        var placer = new CallPlacer(http, router, holders, new CallPlacerOptions
        {
            Signer = new PassportSigner(signingKey, TimeProvider.System),
            SignerX5u = "https://cert.example.org/stir/bench-signer.pem",
        });
        using var resolver = new StaticKeyCredentialResolver(publicKey);
        var verifier = new CallVerifier(http, router, ring, new PassportVerifier(resolver, null, TimeProvider.System));

        var orig = 0;
        async Task<(PlacementReport Store, CallVerdict Verdict, double Milliseconds)> Call(TelephoneNumber dest)
        {
            var from = TelephoneNumber.ParseCanonical(string.Create(CultureInfo.InvariantCulture, $"1202{Interlocked.Increment(ref orig):D7}"));
            var start = Stopwatch.GetTimestamp();
            var report = await placer.StoreAsync(from, dest, null, CancellationToken.None);
            var verdict = await verifier.VerifyAsync(from, dest, CancellationToken.None);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!report.Stored || verdict.Verstat != Verstat.TnValidationPassed)
            {
                throw new InvalidOperationException($"a benchmark call failed: store {report.Detail}; verdict {verdict}");
            }

            return (report, verdict, elapsed);
        }

        // Warm-up: one call per destination fills both sides' destination-key caches (Argon2id on each side).
        var cold = new List<double>();
        foreach (var dest in dests)
        {
            var (store, verdict, _) = await Call(dest);
            cold.Add(Step(store.Steps, "index") + Step(verdict.Steps, "index"));
        }

        var totals = new List<double>();
        var withoutIndex = new List<double>();
        var steps = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var i = 0; i < calls; i++)
        {
            var (store, verdict, elapsed) = await Call(dests[i % dests.Count]);
            var index = Step(store.Steps, "index") + Step(verdict.Steps, "index");
            totals.Add(elapsed);
            withoutIndex.Add(elapsed - index);
            foreach (var (side, list) in new[] { ("caller", store.Steps), ("callee", verdict.Steps) })
            {
                foreach (var group in list.GroupBy(s => s.Name))
                {
                    var name = $"{side} {group.Key}";
                    if (!steps.TryGetValue(name, out var values))
                    {
                        steps[name] = values = [];
                    }

                    values.Add(group.Sum(s => s.Duration.TotalMilliseconds));
                }
            }
        }

        foreach (var key in keys)
        {
            key.Dispose();
        }

        var meanTotal = totals.Average();
        var result = new JsonObject
        {
            ["calls"] = calls,
            ["holders"] = Holders,
            ["destinations"] = Destinations,
            ["p50ms"] = Percentile(totals, 50),
            ["p99ms"] = Percentile(totals, 99),
            ["meanMs"] = Math.Round(meanTotal, 3),
            ["withoutIndexP50ms"] = Percentile(withoutIndex, 50),
            ["withoutIndexP99ms"] = Percentile(withoutIndex, 99),
            ["coldIndexP50ms"] = Percentile(cold, 50),
            ["steps"] = new JsonArray([.. steps.Select(s => (JsonNode)new JsonObject
            {
                ["step"] = s.Key,
                ["meanMs"] = Math.Round(s.Value.Average(), 4),
                ["p99ms"] = Percentile(s.Value, 99),
                ["share"] = Math.Round(s.Value.Sum() / totals.Sum(), 4),
            })]),
        };
        Console.Error.WriteLine($"e2e: {calls} calls, p50 {result["p50ms"]} ms, p99 {result["p99ms"]} ms (without index p99 {result["withoutIndexP99ms"]} ms); cold index {result["coldIndexP50ms"]} ms");
        CommandLine.Write(args, result);
        return 0;
    }

    private static double Step(IReadOnlyList<CallStep> steps, string name) => steps.Where(s => s.Name == name).Sum(s => s.Duration.TotalMilliseconds);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
        return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Count - 1)], 3);
    }

    private sealed class HolderKeys : IKeyHolderSource
    {
        private readonly Dictionary<string, IReadOnlyList<HpkePublicKey>> _keys = new(StringComparer.Ordinal);

        public void Add(TelephoneNumber number, params HpkePublicKey[] keys) => _keys[number.Value] = keys;

        public Task<IReadOnlyList<HpkePublicKey>> GetHolderKeysAsync(TelephoneNumber called, CancellationToken cancellationToken) =>
            Task.FromResult(_keys.TryGetValue(called.Value, out var keys) ? keys : []);
    }
}
