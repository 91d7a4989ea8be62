using System.Collections.Concurrent;
using Stir.Encrypted.Cps;

namespace Stir.Encrypted.Calls;

/// <summary>
/// One <see cref="CpsClient"/> per CPS, and one destination-key cache per CPS configuration, so that repeated
/// calls reuse connections (keep-alive) and pay Argon2id once per (destination, epoch); and one memory of the
/// configurations accepted (spec/protocol.md §7 "Change report") shared by all of them, so that one file serves them.
/// </summary>
internal sealed class CpsSessions
{
    private readonly HttpClient _http;
    private readonly CpsClientOptions _options;
    private readonly KnownCpsConfigurations _known;
    private readonly ConcurrentDictionary<string, CpsClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DestinationKeyCache> _caches = new(StringComparer.Ordinal);

    public CpsSessions(HttpClient http, CpsClientOptions options)
    {
        _http = http;
        _options = options;
        _known = new KnownCpsConfigurations(options.KnownConfigurationsFile);
    }

    public CpsClient ClientFor(Uri cps) => _clients.GetOrAdd(cps.AbsoluteUri, _ => new CpsClient(_http, cps, _options, _known));

    public DestinationKeyCache CacheFor(Uri cps, CpsConfiguration config) =>
        _caches.AddOrUpdate(
            cps.AbsoluteUri,
            _ => new DestinationKeyCache(config.Index),
            (_, existing) => existing.Parameters.SameFunctionAs(config.Index) ? existing : new DestinationKeyCache(config.Index));
}
