using Microsoft.Extensions.Options;
using Stir.Encrypted.Cps;
using Stir.Encrypted.CpsService.CoverTraffic;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Configuration;

/// <summary>
/// Builds the <see cref="CpsRuntime"/> once, from the validated options and what the store keeps (the salt
/// unless configured, the cover key). A failure (store unreachable) is not remembered: the next request tries
/// again, and meanwhile requests are answered <c>unavailable</c>.
/// </summary>
internal sealed class CpsRuntimeProvider
{
    private readonly IBlobStore _store;
    private readonly CpsOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile CpsRuntime? _runtime;

    public CpsRuntimeProvider(IBlobStore store, IOptions<CpsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
    }

    public bool IsInitialized => _runtime is not null;

    /// <summary>The validated options.</summary>
    public CpsOptions Options => _options;

    public async ValueTask<CpsRuntime> GetAsync(CancellationToken cancellationToken)
    {
        if (_runtime is { } runtime)
        {
            return runtime;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _runtime ??= await CreateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CpsRuntime> CreateAsync(CancellationToken cancellationToken)
    {
        var o = _options;
        byte[] salt;
        if (o.Index.Salt is { } configured)
        {
            // Validated at start-up (CpsOptionsValidator), so it decodes.
            salt = StrictBase64.TryDecodeUrl(configured, out var decoded, out _) ? decoded : throw new InvalidOperationException("Cps:Index:Salt passed validation but does not decode");
        }
        else
        {
            salt = (await _store.GetIndexSaltAsync(cancellationToken)).ToArray();
        }

        var coverKey = await _store.GetCoverKeyAsync(cancellationToken);
        if (salt.Length != IndexParameters.SaltSize || coverKey.Length != CoverDerivation.CoverKeySize)
        {
            throw new InvalidOperationException($"the store returned a salt of {salt.Length} bytes and a cover key of {coverKey.Length} bytes; both must be 32");
        }

        var configuration = new CpsConfiguration(
            new IndexParameters(salt, o.Index.MemoryKiB, o.Index.Iterations, o.Index.BucketBits, o.EpochSeconds),
            [.. o.EffectiveClasses.Select(c => new SizeClass(c.Size, c.Slots))],
            new RetentionPolicy(o.Retention.MinSeconds, o.Retention.MeanExtraSeconds, o.Retention.MaxSeconds),
            storeAuthenticationRequired: o.StoreAuthentication.IsRequired,
            o.Limits.MaxBlobsPerStore,
            o.Limits.ClockSkewSeconds);
        return new CpsRuntime(configuration, coverKey.Span);
    }
}
