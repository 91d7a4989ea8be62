using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Stir.Encrypted.Cps;

/// <summary>
/// Talks to a CPS (spec/protocol.md §7–§8): fetches and checks its configuration document, stores blobs in a
/// bucket, retrieves a bucket. The CPS is untrusted: every answer is checked against the protocol before use
/// (exact lengths, content types, a configuration no weaker than this client's minimum).
/// </summary>
public sealed class CpsClient
{
    private const string ProblemPrefix = "https://stir-encrypted.org/problems/";
    private const int ReceiptLimit = 4096;
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly CpsClientOptions _options;
    private readonly KnownCpsConfigurations _known;
    private readonly SemaphoreSlim _configLock = new(1, 1);
    private CpsConfiguration? _config;
    private DateTimeOffset _configFetched;

    /// <summary>Creates a client for the CPS at <paramref name="baseUrl"/> (e.g. <c>https://cps.example.net/</c>).</summary>
    /// <exception cref="IOException">The <see cref="CpsClientOptions.KnownConfigurationsFile"/> exists but cannot be read.</exception>
    /// <exception cref="KnownCpsConfigurationsFormatException">The <see cref="CpsClientOptions.KnownConfigurationsFile"/> is damaged.</exception>
    public CpsClient(HttpClient http, Uri baseUrl, CpsClientOptions? options = null)
        : this(http, baseUrl, options, null)
    {
    }

    /// <summary>With the known configurations shared by every client of one placer or verifier (<see cref="Calls.CpsSessions"/>).</summary>
    internal CpsClient(HttpClient http, Uri baseUrl, CpsClientOptions? options, KnownCpsConfigurations? known)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("the CPS base URL is an absolute http(s) URL", nameof(baseUrl));
        }

        _http = http;
        _baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _options = options ?? new CpsClientOptions();
        _known = known ?? new KnownCpsConfigurations(_options.KnownConfigurationsFile);
    }

    /// <summary>The CPS this client talks to.</summary>
    public Uri BaseUrl => _baseUrl;

    /// <summary>
    /// The CPS configuration, fetched on first use and again after <see cref="CpsClientOptions.ConfigurationMaxAge"/>;
    /// refused if it is malformed or weaker than the client's floors and minimums.
    /// </summary>
    /// <exception cref="CpsProblemException">The CPS is unreachable or its document is unusable.</exception>
    /// <exception cref="IOException">The <see cref="CpsClientOptions.KnownConfigurationsFile"/> cannot be written.</exception>
    public async Task<CpsConfiguration> GetConfigurationAsync(CancellationToken cancellationToken = default) =>
        (await CheckConfigurationAsync(cancellationToken)).Configuration;

    /// <summary>
    /// The CPS configuration as <see cref="GetConfigurationAsync"/> gives it, and, when this call fetched it, what
    /// changed in a privacy-relevant member since the configuration accepted before from this CPS (spec/protocol.md §7
    /// "Change report"): the fetch that finds a change reports it once, and the new configuration is remembered.
    /// </summary>
    /// <exception cref="CpsProblemException">The CPS is unreachable or its document is unusable (too weak included).</exception>
    /// <exception cref="IOException">The <see cref="CpsClientOptions.KnownConfigurationsFile"/> cannot be written.</exception>
    public async Task<CpsConfigurationCheck> CheckConfigurationAsync(CancellationToken cancellationToken = default)
    {
        var now = _options.TimeProvider.GetUtcNow();
        if (_config is { } cached && now - _configFetched < _options.ConfigurationMaxAge)
        {
            return new CpsConfigurationCheck(cached, null);
        }

        await _configLock.WaitAsync(cancellationToken);
        try
        {
            if (_config is { } again && now - _configFetched < _options.ConfigurationMaxAge)
            {
                return new CpsConfigurationCheck(again, null);
            }

            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl, "v1/config")), cancellationToken);
            var body = await ReadBoundedAsync(response, 64 * 1024, cancellationToken);
            CpsConfiguration config;
            try
            {
                config = CpsConfiguration.Parse(body, _options.MinimumMemoryKiB, _options.MinimumIterations, _options.Floors);
            }
            catch (BlobFormatException e)
            {
                throw new CpsProblemException("bad-response", (int)response.StatusCode, $"the configuration document is unusable: {e.Message}", null, e);
            }

            // Remembered before it is used, so that a change is reported even if the caller then fails.
            var change = _known.Accept(_baseUrl, config, now);
            _config = config;
            _configFetched = now;
            return new CpsConfigurationCheck(config, change);
        }
        finally
        {
            _configLock.Release();
        }
    }

    /// <summary>
    /// Stores a call's blobs in its bucket in one request (spec/protocol.md §8): one blob, or ⌈H/R⌉ for more than
    /// <see cref="BlobSealer.StanzaCount"/> key holders. All blobs have the same size, one of the CPS's classes. Returns when the CPS acknowledged them as durable. With
    /// <see cref="CpsClientOptions.StorerCredential"/> set and no <paramref name="bearerToken"/>, the request carries a
    /// fresh storer token for this body (spec/protocol.md §8 "Storer authentication").
    /// </summary>
    /// <exception cref="CpsProblemException">The CPS refused (e.g. <c>bucket-full</c>, <c>rate-limited</c>) or is unreachable.</exception>
    public async Task StoreAsync(BlobIndex index, IReadOnlyList<byte[]> blobs, string? bearerToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(blobs);
        if (blobs.Count == 0 || blobs.Any(b => b.Length != blobs[0].Length))
        {
            throw new ArgumentException("one or more blobs, all of one size", nameof(blobs));
        }

        var body = new byte[blobs.Count * blobs[0].Length];
        for (var i = 0; i < blobs.Count; i++)
        {
            blobs[i].CopyTo(body, i * blobs[0].Length);
        }

        var url = new Uri(_baseUrl, $"v1/epochs/{index.Epoch.ToString(CultureInfo.InvariantCulture)}/buckets/{index.BucketText}?size={blobs[0].Length.ToString(CultureInfo.InvariantCulture)}");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        bearerToken ??= _options.StorerCredential is { } credential
            ? StoreToken.Create(credential, _baseUrl.AbsoluteUri, body, _options.TimeProvider.GetUtcNow(), Guid.NewGuid())
            : null;
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        using var response = await SendAsync(request, cancellationToken);
        await DiscardReceiptAsync(response, cancellationToken);
    }

    /// <summary>
    /// Retrieves a bucket: for each size class, exactly its slot count of blobs (spec/protocol.md §8). An answer
    /// of any other length is refused, since a CPS that varies it could mark real blobs.
    /// </summary>
    /// <exception cref="CpsProblemException">The CPS refused or is unreachable, or the answer has the wrong shape.</exception>
    public async Task<IReadOnlyList<ReadOnlyMemory<byte>>> RetrieveAsync(ulong epoch, string bucket, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var config = await GetConfigurationAsync(cancellationToken);
        var expected = config.Classes.Sum(c => c.Size * c.Slots);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl, $"v1/epochs/{epoch.ToString(CultureInfo.InvariantCulture)}/buckets/{bucket}")), cancellationToken);
        var body = await ReadBoundedAsync(response, expected, cancellationToken);
        if (body.Length != expected)
        {
            throw new CpsProblemException("bad-response", (int)response.StatusCode, $"the bucket answer is {body.Length} bytes; the configuration implies exactly {expected}");
        }

        var blobs = new List<ReadOnlyMemory<byte>>(config.Classes.Sum(c => c.Slots));
        var offset = 0;
        foreach (var c in config.Classes)
        {
            for (var i = 0; i < c.Slots; i++)
            {
                blobs.Add(body.AsMemory(offset, c.Size));
                offset += c.Size;
            }
        }

        return blobs;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (HttpRequestException e)
        {
            throw new CpsProblemException("unreachable", 0, $"{request.Method} {_baseUrl.Authority}: {e.Message}", null, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CpsProblemException("unreachable", 0, $"{request.Method} {_baseUrl.Authority}: no answer within {_options.Timeout.TotalSeconds:F1} s", null, e);
        }
        finally
        {
            request.Dispose();
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ToProblemAsync(response, cancellationToken);
        }
    }

    /// <summary>
    /// Reads the store receipt to its end without using it. A response disposed unread returns its connection to the
    /// pool only once a background drain has read the rest, which waits on the network when the body did not come
    /// with the headers; meanwhile the call's next request (its retrieval, the next call's store) finds no idle
    /// connection and opens another one, over HTTPS with a new handshake. The status already said the
    /// blobs are durable, so a receipt that does not arrive in time, or is longer than any receipt, costs only this
    /// connection (disposing the response closes it) and is not an error.
    /// </summary>
    private async Task DiscardReceiptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        var buffer = new byte[ReceiptLimit];
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            var read = 0;
            int n;
            while (read <= ReceiptLimit && (n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                read += n;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Stored all the same (see above); the caller's own cancellation still propagates.
        }
    }

    private static async Task<CpsProblemException> ToProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = response.Headers.RetryAfter?.Delta;
        string type = response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => "rate-limited",
            _ => "http-" + status.ToString(CultureInfo.InvariantCulture),
        };
        var detail = response.ReasonPhrase ?? "error";
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            try
            {
                var body = await ReadBoundedAsync(response, 16 * 1024, cancellationToken);
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.TryGetProperty("type", out var t) && t.GetString() is { } uri && uri.StartsWith(ProblemPrefix, StringComparison.Ordinal))
                {
                    type = uri[ProblemPrefix.Length..];
                }

                if (doc.RootElement.TryGetProperty("detail", out var d) && d.GetString() is { } text)
                {
                    detail = text;
                }
            }
            catch (Exception e) when (e is JsonException or CpsProblemException)
            {
                detail = $"{detail} (unreadable problem document)";
            }
        }

        return new CpsProblemException(type, status, detail, retryAfter);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is long declared && declared > limit)
        {
            throw new CpsProblemException("bad-response", (int)response.StatusCode, $"the answer declares {declared} bytes, more than the {limit} expected");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        if (read > limit)
        {
            throw new CpsProblemException("bad-response", (int)response.StatusCode, $"the answer is longer than the {limit} bytes expected");
        }

        return buffer[..read];
    }
}
