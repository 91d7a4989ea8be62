using System.Net.Http.Headers;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// Fetches the certificate chain a PASSporT's <c>x5u</c> names (RFC 8225 §5.1.1; RFC 9060 §7: PEM, end entity
/// first) and validates it with a <see cref="StirChainValidator"/>, through a bounded, chain-aware cache.
/// </summary>
/// <remarks>
/// <para>Fetching: <c>https</c> only (unless <see cref="X5uResolverOptions.AllowHttp"/>), also after redirects;
/// a response is accepted only with status 200, media type <c>application/pem-certificate-chain</c> (RFC 8555
/// §9.1, no text outside the PEM blocks) or <c>application/pkix-cert</c> (one DER certificate, RFC 2585), and at
/// most <see cref="X5uResolverOptions.MaxResponseBytes"/>, within <see cref="X5uResolverOptions.Timeout"/>.</para>
/// <para>Caching, keyed by the URL as given: a valid result is reused until the earliest of now + MaxAge, now +
/// the response's <c>Cache-Control: max-age</c> (<c>no-store</c>/<c>no-cache</c> mean not at all), and the
/// earliest notAfter of the fetched and validated certificates, so a cached result never outlives a
/// certificate it rests on. A failure is reused for <see cref="X5uResolverOptions.FailureCacheDuration"/> only,
/// to absorb floods, and concurrent requests for one URL share one fetch. A caller's cancellation abandons its
/// wait, never the shared fetch, and is never cached. Revocation status, when configured, is as fresh as the
/// cached result.</para>
/// </remarks>
public sealed class X5uResolver
{
    private const string PemChainMediaType = "application/pem-certificate-chain";
    private const string PkixCertMediaType = "application/pkix-cert";

    private readonly HttpClient _http;
    private readonly StirChainValidator _validator;
    private readonly X5uResolverOptions _options;
    private readonly TimeProvider _time;
    private readonly X5uCache _cache;
    private readonly Lock _inflightLock = new();
    private readonly Dictionary<string, Task<StirChainValidationResult>> _inflight = new(StringComparer.Ordinal);

    /// <summary>Creates a resolver. Its clock is the validator's <see cref="StirChainValidatorOptions.TimeProvider"/>.</summary>
    public X5uResolver(HttpClient httpClient, StirChainValidator validator, X5uResolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(validator);
        _http = httpClient;
        _validator = validator;
        _options = options ?? new X5uResolverOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxResponseBytes, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.Timeout, TimeSpan.Zero, nameof(options));
        _time = validator.Options.TimeProvider;
        _cache = new X5uCache(_options.MaxEntries);
    }

    /// <summary>How many URLs the cache holds now.</summary>
    internal int CachedCount => _cache.Count;

    /// <summary>
    /// Fetches (or takes from the cache) and validates the chain at <paramref name="x5u"/>. Every outcome about
    /// the URL or its content is a result (<see cref="StirChainFailure.Fetch"/> for fetching problems).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<StirChainValidationResult> ResolveAsync(string x5u, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x5u);
        if (!Uri.TryCreate(x5u, UriKind.Absolute, out var uri))
        {
            return StirChainValidationResult.Invalid(StirChainFailure.Fetch, $"x5u {CertificateText.Quote(Shorten(x5u))} is not an absolute URL");
        }

        if (!IsAllowedScheme(uri))
        {
            return StirChainValidationResult.Invalid(StirChainFailure.Fetch, $"x5u scheme '{uri.Scheme}' is not allowed (https only)");
        }

        if (_cache.TryGet(x5u, _time.GetUtcNow(), out var cached))
        {
            return cached;
        }

        Task<StirChainValidationResult> fetch;
        lock (_inflightLock)
        {
            if (!_inflight.TryGetValue(x5u, out fetch!))
            {
                fetch = FetchValidateAndCacheAsync(x5u, uri);
                _inflight[x5u] = fetch;
            }
        }

        return await fetch.WaitAsync(cancellationToken);
    }

    private async Task<StirChainValidationResult> FetchValidateAndCacheAsync(string key, Uri uri)
    {
        try
        {
            await Task.Yield(); // run apart from the caller, which may already hold the in-flight lock
            var (result, maxAge) = await FetchAndValidateAsync(uri);
            var now = _time.GetUtcNow();
            if (result.IsValid)
            {
                var expires = now + _options.MaxAge;
                if (maxAge is { } age && now + age < expires)
                {
                    expires = now + age;
                }

                if (result.Certificate.NotAfter < expires)
                {
                    expires = result.Certificate.NotAfter;
                }

                if (expires > now)
                {
                    _cache.Set(key, result, expires);
                }
            }
            else if (_options.FailureCacheDuration > TimeSpan.Zero)
            {
                _cache.Set(key, result, now + _options.FailureCacheDuration);
            }

            return result;
        }
        finally
        {
            lock (_inflightLock)
            {
                _inflight.Remove(key);
            }
        }
    }

    private async Task<(StirChainValidationResult Result, TimeSpan? MaxAge)> FetchAndValidateAsync(Uri uri)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(PemChainMediaType));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(PkixCertMediaType, 0.9));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);

            if (response.RequestMessage?.RequestUri is { } final && !IsAllowedScheme(final))
            {
                return (Fail($"redirected to a '{final.Scheme}' URL (https only)"), null);
            }

            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                return (Fail($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd()), null);
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var isPem = string.Equals(mediaType, PemChainMediaType, StringComparison.OrdinalIgnoreCase);
            if (!isPem && !string.Equals(mediaType, PkixCertMediaType, StringComparison.OrdinalIgnoreCase))
            {
                return (Fail($"content type '{mediaType ?? "(none)"}' is neither {PemChainMediaType} nor {PkixCertMediaType}"), null);
            }

            if (response.Content.Headers.ContentLength > _options.MaxResponseBytes)
            {
                return (Fail($"response of {response.Content.Headers.ContentLength} bytes exceeds the limit of {_options.MaxResponseBytes} bytes"), null);
            }

            var body = new byte[_options.MaxResponseBytes + 1];
            var length = 0;
            await using (var stream = await response.Content.ReadAsStreamAsync(timeout.Token))
            {
                int read;
                while ((read = await stream.ReadAsync(body.AsMemory(length), timeout.Token)) > 0)
                {
                    length += read;
                    if (length > _options.MaxResponseBytes)
                    {
                        return (Fail($"response exceeds the limit of {_options.MaxResponseBytes} bytes"), null);
                    }
                }
            }

            IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> chain;
            try
            {
                chain = isPem
                    ? CertificateChain.ParsePem(System.Text.Encoding.ASCII.GetString(body, 0, length), allowExplanatoryText: false)
                    : [CertificateChain.ParseDer(body.AsSpan(0, length))];
            }
            catch (CertificateFormatException e)
            {
                return (StirChainValidationResult.Invalid(StirChainFailure.Malformed, $"x5u content: {e.Message}"), null);
            }

            var cacheControl = response.Headers.CacheControl;
            TimeSpan? maxAge = cacheControl is { NoStore: true } or { NoCache: true } ? TimeSpan.Zero : cacheControl?.MaxAge;
            var result = _validator.Validate(chain);
            if (result.IsValid)
            {
                // Chain-aware: also bound by fetched certificates the path did not use.
                var earliest = chain.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero));
                var untilEarliest = earliest - _time.GetUtcNow();
                maxAge = maxAge is { } m && m < untilEarliest ? m : untilEarliest;
            }

            return (result, maxAge);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (Fail($"no complete response within {CertificateText.Duration(_options.Timeout)}"), null);
        }
        catch (HttpRequestException e)
        {
            return (Fail($"request failed: {e.Message}"), null);
        }
        catch (IOException e)
        {
            return (Fail($"response could not be read: {e.Message}"), null);
        }
    }

    private bool IsAllowedScheme(Uri uri) => uri.Scheme == Uri.UriSchemeHttps || (_options.AllowHttp && uri.Scheme == Uri.UriSchemeHttp);

    private static StirChainValidationResult Fail(string reason) => StirChainValidationResult.Invalid(StirChainFailure.Fetch, $"x5u fetch failed: {reason}");

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..97] + "...";
}
