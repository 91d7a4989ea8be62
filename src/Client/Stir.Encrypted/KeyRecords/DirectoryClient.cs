using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// Talks to a credential directory (spec/protocol.md §10) without trusting it: publishes and revokes, looks up the
/// keys of a number (bucketed by default, exact, or from the local cache), copies the whole directory by
/// snapshot and changes, and prefetches the buckets of an address book hidden among random decoy buckets.
/// Every record any answer holds is verified (<see cref="KeyRecordVerifier"/>) and checked against the
/// <see cref="KeyRecordLedger"/> before its key is handed out; when the directory does not answer, the cache
/// answers as long as its data is younger than <see cref="DirectoryClientOptions.CacheMaxAge"/>, and says so.
/// </summary>
/// <remarks>The <see cref="HttpClient"/> is not owned. Calls on one client are serialized (they share the cache and ledger).</remarks>
public sealed class DirectoryClient : IDisposable
{
    private const int MaxSmallDocumentBytes = 64 * 1024 * 1024;
    private readonly HttpClient _http;
    private readonly KeyRecordVerifier _verifier;
    private readonly DirectoryClientOptions _options;
    private readonly KeyRecordCache _cache;
    private readonly Func<int, int> _random;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DirectoryConfiguration? _configuration;

    /// <summary>A client of the directory at <paramref name="directory"/> (its base URL) that believes only what <paramref name="verifier"/> accepts.</summary>
    /// <exception cref="ArgumentException">The URL is not absolute http(s).</exception>
    /// <exception cref="IOException">The cache directory cannot be read.</exception>
    /// <exception cref="KeyRecordLedgerFormatException">The ledger file in the cache directory is damaged.</exception>
    public DirectoryClient(HttpClient http, Uri directory, KeyRecordVerifier verifier, DirectoryClientOptions? options = null)
        : this(http, directory, verifier, options, RandomNumberGenerator.GetInt32)
    {
    }

    /// <summary>With the randomness of decoys and shuffles injected (tests).</summary>
    internal DirectoryClient(HttpClient http, Uri directory, KeyRecordVerifier verifier, DirectoryClientOptions? options, Func<int, int> random)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(verifier);
        if (!directory.IsAbsoluteUri || directory.Scheme is not ("https" or "http"))
        {
            throw new ArgumentException($"{directory} is not an absolute http(s) URL", nameof(directory));
        }

        _http = http;
        Directory = directory.AbsoluteUri.EndsWith('/') ? directory : new Uri(directory.AbsoluteUri + "/");
        _verifier = verifier;
        _options = options ?? new DirectoryClientOptions();
        _random = random;
        Ledger = _options.Ledger
            ?? (_options.CacheDirectory is { } cacheDirectory ? KeyRecordLedger.Open(Path.Combine(cacheDirectory, "ledger.json")) : KeyRecordLedger.InMemory());
        _cache = KeyRecordCache.Open(_options.CacheDirectory, Directory);
    }

    /// <summary>The directory's base URL (ending in '/').</summary>
    public Uri Directory { get; }

    /// <summary>The ledger entries are checked against.</summary>
    public KeyRecordLedger Ledger { get; }

    /// <summary>The version of the local copy of the directory; null before the first <see cref="SyncAsync"/>.</summary>
    public long? SyncedVersion => _cache.SyncVersion;

    /// <summary>The entries of the local copy, (holder|rid) → token (tests compare it with the directory's snapshot).</summary>
    internal IReadOnlyDictionary<string, string> SyncedEntries => _cache.Synced;

    /// <summary>Publishes a key record or a revocation (<c>POST /v1/records</c>).</summary>
    /// <returns>Accepted (201, or 200 when identical to the current entry) or refused with the problem's type and detail.</returns>
    /// <exception cref="DirectoryUnavailableException">No answer, a 5xx, or an answer that is not a receipt or a problem.</exception>
    public async Task<DirectoryPublishResult> PublishAsync(KeyRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(record.Token));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/jose");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Directory, "v1/records")) { Content = content };
        using var response = await SendAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        if (status >= 500 || status is not (200 or 201) && status < 400)
        {
            throw new DirectoryUnavailableException($"the directory answered the publication with HTTP {status}");
        }

        var body = await ReadAsync(response, MaxSmallDocumentBytes, cancellationToken);
        try
        {
            var (code, version, type, detail) = DirectoryDocumentReader.Receipt(status, body);
            return new DirectoryPublishResult(code, version, type, detail);
        }
        catch (DirectoryDocumentFormatException e)
        {
            throw new DirectoryUnavailableException($"the directory's answer to the publication is not a receipt: {e.Message}", e);
        }
    }

    /// <summary>The keys of <paramref name="number"/>: every record that lists it, verified and checked against the ledger.</summary>
    /// <exception cref="DirectoryUnavailableException">The directory did not answer and the cache holds nothing younger than the max age for the number.</exception>
    public async Task<DirectoryLookupResult> LookupAsync(TelephoneNumber number, DirectoryLookupMode mode = DirectoryLookupMode.Bucketed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(number);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var result = mode switch
            {
                DirectoryLookupMode.Exact => await LookupExactAsync(number, cancellationToken),
                DirectoryLookupMode.Bucketed => await LookupBucketAsync(number, cancellationToken),
                DirectoryLookupMode.Cached => FromCache(number, null),
                DirectoryLookupMode.Synced => await LookupSyncedAsync(number, cancellationToken),
                _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
            };
            Persist();
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Brings the local copy of the directory up to date: the changes since the copy's version, or the snapshot when
    /// there is no copy yet or the change log no longer reaches back to it. Every entry is then verified and shown to
    /// the ledger, so a rollback or equivocation in the copy is reported here.
    /// </summary>
    /// <exception cref="DirectoryUnavailableException">The directory did not answer (the copy is left as it was).</exception>
    /// <exception cref="DirectoryDocumentFormatException">A document is malformed (the copy is left as it was).</exception>
    public async Task<DirectorySyncResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await SyncUnderGateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    // The sync itself; the caller holds the gate.
    private async Task<DirectorySyncResult> SyncUnderGateAsync(CancellationToken cancellationToken)
    {
        var progress = _options.Progress;
        var state = new SortedDictionary<string, string>(_cache.Synced, StringComparer.Ordinal);
        var version = _cache.SyncVersion;
        var usedSnapshot = false;
        var applied = 0;
        if (version is { } since)
        {
            var changes = await ApplyChangesAsync(state, since, progress, cancellationToken);
            if (changes is null)
            {
                version = null;
            }
            else
            {
                (version, applied) = (changes.Value.Version, changes.Value.Applied);
            }
        }

        if (version is null)
        {
            var snapshot = await FetchSnapshotAsync(cancellationToken);
            usedSnapshot = true;
            state = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var token in snapshot.Entries)
            {
                state[KeyOf(token, "snapshot")] = token;
            }

            progress?.Report(new DirectoryProgress("snapshot", snapshot.Entries.Count, snapshot.Entries.Count));

            // The snapshot is current as of its version; anything accepted since is in the log.
            var changes = await ApplyChangesAsync(state, snapshot.Version, progress, cancellationToken)
                ?? throw new DirectoryUnavailableException($"the directory's change log does not reach back to its own snapshot version {snapshot.Version}");
            (version, applied) = (changes.Version, changes.Applied);
        }

        var rejected = new List<KeyRecordVerdict>();
        var verified = 0;
        foreach (var token in state.Values)
        {
            var verdict = Ledger.Observe(_verifier.Verify(token));
            if (!verdict.IsValid)
            {
                rejected.Add(verdict);
            }

            verified++;
            if (progress is not null && (verified % 100 == 0 || verified == state.Count))
            {
                progress.Report(new DirectoryProgress("verify", verified, state.Count));
            }
        }

        _cache.ReplaceSynced(state, version.Value, Now());
        Persist();
        return new DirectorySyncResult(version.Value, usedSnapshot, applied, state.Count, rejected);
    }

    /// <summary>
    /// Fetches into the cache the buckets of <paramref name="numbers"/> (an address book), mixed with
    /// <see cref="DirectoryClientOptions.PrefetchDecoys"/> random other buckets, all in random order, so that the
    /// directory cannot tell which buckets matter. Later <see cref="DirectoryLookupMode.Cached"/> lookups of these
    /// numbers ask the directory nothing.
    /// </summary>
    /// <exception cref="DirectoryUnavailableException">The directory's configuration could not be read.</exception>
    public async Task<DirectoryPrefetchResult> PrefetchAsync(IEnumerable<TelephoneNumber> numbers, CancellationToken cancellationToken = default)
    {
        var progress = _options.Progress;
        ArgumentNullException.ThrowIfNull(numbers);
        var list = numbers.ToList();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var configuration = await ConfigurationAsync(refresh: true, cancellationToken);
            var bits = configuration.BucketBits;
            var space = 1 << bits;
            var real = list.Select(n => KeyRecordBucket.Of(n, bits)).ToHashSet();
            var decoyCount = Math.Min(_options.PrefetchDecoys, space - real.Count);
            var all = new List<uint>(real);
            var taken = new HashSet<uint>(real);
            while (all.Count < real.Count + decoyCount)
            {
                var candidate = (uint)_random(space);
                if (taken.Add(candidate))
                {
                    all.Add(candidate);
                }
            }

            // Fisher-Yates: every order equally likely, so position says nothing about which buckets are real.
            for (var i = all.Count - 1; i > 0; i--)
            {
                var j = _random(i + 1);
                (all[i], all[j]) = (all[j], all[i]);
            }

            var truncated = 0;
            var failures = new List<string>();
            var fetched = 0;
            progress?.Report(new DirectoryProgress("buckets", 0, all.Count));
            foreach (var bucket in all)
            {
                try
                {
                    var answer = await FetchBucketAsync(bucket, configuration, cancellationToken);
                    truncated += answer.Truncated ? 1 : 0;
                }
                catch (Exception e) when (e is DirectoryUnavailableException or DirectoryDocumentFormatException)
                {
                    failures.Add($"bucket {KeyRecordBucket.Format(bucket, bits)}: {e.Message}");
                }

                progress?.Report(new DirectoryProgress("buckets", ++fetched, all.Count));
            }

            Persist();
            return new DirectoryPrefetchResult(list.Count, real.Count, decoyCount, truncated, failures);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Frees the lock.</summary>
    public void Dispose() => _gate.Dispose();

    private async Task<DirectoryLookupResult> LookupExactAsync(TelephoneNumber number, CancellationToken cancellationToken)
    {
        List<string> tokens;
        try
        {
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(Directory, $"v1/numbers/{Uri.EscapeDataString(number.Value)}/records")), cancellationToken);
            EnsureOk(response, "the number's records");
            tokens = DirectoryDocumentReader.Records(await ReadAsync(response, MaxSmallDocumentBytes, cancellationToken));
        }
        catch (Exception e) when (e is DirectoryUnavailableException or DirectoryDocumentFormatException)
        {
            return FromCache(number, e.Message);
        }

        _cache.Answers[$"n:{number.Value}"] = (Now(), tokens);
        return Evaluate(number, tokens, DirectoryLookupSource.Directory, TimeSpan.Zero, truncated: false, null);
    }

    // The sync names no number (spec §10 "Snapshot and changes"); the answer then comes from the local copy.
    private async Task<DirectoryLookupResult> LookupSyncedAsync(TelephoneNumber number, CancellationToken cancellationToken)
    {
        try
        {
            _ = await SyncUnderGateAsync(cancellationToken);
        }
        catch (Exception e) when (e is DirectoryUnavailableException or DirectoryDocumentFormatException)
        {
            return FromCache(number, $"the sync failed: {e.Message}");
        }

        return FromCache(number, null);
    }

    private async Task<DirectoryLookupResult> LookupBucketAsync(TelephoneNumber number, CancellationToken cancellationToken)
    {
        BucketAnswer answer;
        try
        {
            var configuration = await ConfigurationAsync(refresh: false, cancellationToken);
            answer = await FetchBucketAsync(KeyRecordBucket.Of(number, configuration.BucketBits), configuration, cancellationToken);
        }
        catch (Exception e) when (e is DirectoryUnavailableException or DirectoryDocumentFormatException)
        {
            return FromCache(number, e.Message);
        }

        return Evaluate(number, answer.Records, DirectoryLookupSource.Directory, TimeSpan.Zero, answer.Truncated, null);
    }

    private async Task<BucketAnswer> FetchBucketAsync(uint bucket, DirectoryConfiguration configuration, CancellationToken cancellationToken)
    {
        var hex = KeyRecordBucket.Format(bucket, configuration.BucketBits);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(Directory, $"v1/buckets/{hex}")), cancellationToken);
        EnsureOk(response, $"bucket {hex}");
        var answer = DirectoryDocumentReader.Bucket(await ReadAsync(response, MaxSmallDocumentBytes, cancellationToken));
        if (answer.Bucket != hex)
        {
            throw new DirectoryDocumentFormatException("bucket", $"the answer is for bucket \"{answer.Bucket}\", not {hex}");
        }

        _cache.Answers[$"b:{configuration.BucketBits}:{hex}"] = (Now(), answer.Records);
        return answer;
    }

    // Answers from cached data younger than the max age: the synced copy, the number's exact answer, its bucket's answer.
    private DirectoryLookupResult FromCache(TelephoneNumber number, string? directoryFailure)
    {
        var now = Now();
        var maxAge = (long)_options.CacheMaxAge.TotalSeconds;
        var tokens = new List<string>();
        long? newest = null;
        void Use(long at, IEnumerable<string> source)
        {
            if (now - at <= maxAge)
            {
                tokens.AddRange(source);
                newest = Math.Max(newest ?? long.MinValue, at);
            }
        }

        if (_cache.SyncedAtUnix is { } syncedAt)
        {
            Use(syncedAt, _cache.Synced.Values);
        }

        foreach (var (source, (at, records)) in _cache.Answers)
        {
            if (source == $"n:{number.Value}" || (TryParseBucketSource(source, out var bits, out var hex) && KeyRecordBucket.Format(KeyRecordBucket.Of(number, bits), bits) == hex))
            {
                Use(at, records);
            }
        }

        if (newest is null)
        {
            throw new DirectoryUnavailableException(directoryFailure is null
                ? $"the cache holds nothing for the number younger than {_options.CacheMaxAge}"
                : $"{directoryFailure}; and the cache holds nothing for the number younger than {_options.CacheMaxAge}");
        }

        return Evaluate(number, tokens, DirectoryLookupSource.Cache, TimeSpan.FromSeconds(now - newest.Value), truncated: false, directoryFailure);
    }

    // Spec §10 "Client processing": keep per (holder, rid) the highest seq shown; show revocations to the ledger
    // first; then verify each record that lists the number and check it against the ledger.
    private DirectoryLookupResult Evaluate(TelephoneNumber number, IEnumerable<string> tokens, DirectoryLookupSource source, TimeSpan age, bool truncated, string? directoryFailure)
    {
        var rejected = new List<KeyRecordVerdict>();
        var newest = new Dictionary<string, List<KeyRecord>>(StringComparer.Ordinal);
        foreach (var token in tokens.Distinct(StringComparer.Ordinal))
        {
            if (!KeyRecord.TryParse(token, out var record, out var error))
            {
                rejected.Add(KeyRecordVerdict.Invalid(KeyRecordFailure.Malformed, error.Message, null));
                continue;
            }

            if (!newest.TryGetValue(record.EntryKey, out var kept) || kept[0].Seq < record.Seq)
            {
                newest[record.EntryKey] = [record];
            }
            else if (kept[0].Seq == record.Seq)
            {
                kept.Add(record);
            }
        }

        var ordered = newest.Values.SelectMany(r => r).OrderBy(r => r.Kind == KeyRecordKind.Record).ThenBy(r => r.EntryKey, StringComparer.Ordinal).ToList();
        var keys = new List<VerifiedKeyRecord>();
        foreach (var record in ordered)
        {
            if (record.Kind == KeyRecordKind.Revocation)
            {
                _ = Ledger.Observe(_verifier.Verify(record));
                continue;
            }

            if (!record.Numbers.Contains(number) && !record.Ranges.Any(r => r.Contains(number)))
            {
                continue; // a record of another number of the bucket
            }

            var verdict = Ledger.Observe(_verifier.Verify(record));
            if (verdict.IsValid)
            {
                keys.RemoveAll(k => k.Record.EntryKey == record.EntryKey);
                keys.Add(verdict.Verified!);
            }
            else
            {
                rejected.Add(verdict);
            }
        }

        return new DirectoryLookupResult(number, keys, rejected, source, age, truncated, directoryFailure);
    }

    // The changes after since, applied in order; null when the log no longer reaches back (410).
    private async Task<(long Version, int Applied)?> ApplyChangesAsync(SortedDictionary<string, string> state, long since, IProgress<DirectoryProgress>? progress, CancellationToken cancellationToken)
    {
        var applied = 0;
        var version = since;
        while (true)
        {
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(Directory, $"v1/changes?since={version}")), cancellationToken);
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                return null;
            }

            EnsureOk(response, "changes");
            var page = DirectoryDocumentReader.Changes(await ReadAsync(response, DirectoryDocumentReader.MaxDocumentBytes, cancellationToken));
            if (page.Since != version)
            {
                throw new DirectoryDocumentFormatException("changes", $"the page starts after {page.Since}, not after {version} as asked");
            }

            foreach (var (_, entry) in page.Changes)
            {
                state[KeyOf(entry, "changes")] = entry;
                applied++;
            }

            progress?.Report(new DirectoryProgress("changes", applied, applied + (int)Math.Clamp(page.Latest - page.Version, 0, int.MaxValue - applied)));

            if (page.Changes.Count == 0 || page.Version >= page.Latest)
            {
                return (page.Version, applied);
            }

            version = page.Version;
        }
    }

    private async Task<SnapshotDocument> FetchSnapshotAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(Directory, "v1/snapshot")), cancellationToken);
        EnsureOk(response, "the snapshot");
        var body = await ReadAsync(response, DirectoryDocumentReader.MaxDocumentBytes, cancellationToken);
        if (response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase))
        {
            body = Gunzip(body);
        }

        return DirectoryDocumentReader.Snapshot(body);
    }

    private async Task<DirectoryConfiguration> ConfigurationAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (_configuration is { } known && !refresh)
        {
            return known;
        }

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(Directory, "v1/config")), cancellationToken);
        EnsureOk(response, "the configuration");
        _configuration = DirectoryDocumentReader.Configuration(await ReadAsync(response, MaxSmallDocumentBytes, cancellationToken));
        return _configuration;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new DirectoryUnavailableException($"the directory {Directory} did not answer: {e.Message}", e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DirectoryUnavailableException($"the directory {Directory} did not answer in time", e);
            }
        }
    }

    private static void EnsureOk(HttpResponseMessage response, string what)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new DirectoryUnavailableException($"the directory answered HTTP {(int)response.StatusCode} for {what}");
        }
    }

    private static async Task<byte[]> ReadAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > limit)
        {
            throw new DirectoryDocumentFormatException("answer", $"{response.Content.Headers.ContentLength} bytes exceed the limit of {limit}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                throw new DirectoryDocumentFormatException("answer", $"more than {limit} bytes");
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }

    private static byte[] Gunzip(byte[] body)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = gzip.Read(chunk)) > 0)
            {
                if (output.Length + n > DirectoryDocumentReader.MaxDocumentBytes)
                {
                    throw new DirectoryDocumentFormatException("snapshot", $"decompresses to more than {DirectoryDocumentReader.MaxDocumentBytes} bytes");
                }

                output.Write(chunk, 0, n);
            }

            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DirectoryDocumentFormatException("snapshot", $"not gzip: {e.Message}");
        }
    }

    private static string KeyOf(string token, string document) =>
        KeyRecord.TryParse(token, out var record, out var error)
            ? record.EntryKey
            : throw new DirectoryDocumentFormatException(document, $"an entry is not a key record or revocation: {error.Message}");

    private static bool TryParseBucketSource(string source, out int bits, out string hex)
    {
        bits = 0;
        hex = string.Empty;
        var parts = source.Split(':');
        if (parts.Length != 3 || parts[0] != "b" || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) || bits is < KeyRecordBucket.MinBits or > KeyRecordBucket.MaxBits)
        {
            return false;
        }

        hex = parts[2];
        return true;
    }

    private long Now() => _verifier.TimeProvider.GetUtcNow().ToUnixTimeSeconds();

    private void Persist()
    {
        _cache.Save();
        Ledger.Save();
    }
}
