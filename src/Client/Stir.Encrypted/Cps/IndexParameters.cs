namespace Stir.Encrypted.Cps;

/// <summary>
/// The parameters of the index function (spec/protocol.md §5) that a CPS publishes in its configuration
/// document: the Argon2id cost, the deployment salt, the bucket width and the epoch length.
/// </summary>
public sealed class IndexParameters
{
    /// <summary>The salt length, in bytes.</summary>
    public const int SaltSize = 32;

    /// <summary>The version-1 default Argon2id memory cost, in KiB (19 MiB, RFC 9106 §4's second recommendation scaled to OWASP's minimum).</summary>
    public const int DefaultMemoryKiB = 19456;

    /// <summary>The version-1 default Argon2id pass count.</summary>
    public const int DefaultIterations = 2;

    /// <summary>The version-1 default bucket width in bits.</summary>
    public const int DefaultBucketBits = 14;

    /// <summary>The version-1 default epoch length in seconds.</summary>
    public const int DefaultEpochSeconds = 3600;

    private readonly byte[] _salt;

    /// <summary>Creates a parameter set; every value is checked.</summary>
    /// <exception cref="ArgumentException">A value is outside its allowed range.</exception>
    public IndexParameters(ReadOnlySpan<byte> salt, int memoryKiB, int iterations, int bucketBits, int epochSeconds)
    {
        if (salt.Length != SaltSize)
        {
            throw new ArgumentException($"the salt is {SaltSize} bytes, not {salt.Length}", nameof(salt));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(memoryKiB, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(memoryKiB, 4 * 1024 * 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bucketBits, 32);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochSeconds, 60);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epochSeconds, 7 * 24 * 3600);
        _salt = salt.ToArray();
        MemoryKiB = memoryKiB;
        Iterations = iterations;
        BucketBits = bucketBits;
        EpochSeconds = epochSeconds;
    }

    /// <summary>The deployment salt (32 bytes).</summary>
    public ReadOnlySpan<byte> Salt => _salt;

    /// <summary>Argon2id memory cost in KiB.</summary>
    public int MemoryKiB { get; }

    /// <summary>Argon2id passes.</summary>
    public int Iterations { get; }

    /// <summary>Argon2id lanes; version 1 fixes it at 1.</summary>
    public int Parallelism => 1;

    /// <summary>How many leading bits of the tag name the bucket.</summary>
    public int BucketBits { get; }

    /// <summary>The epoch length in seconds.</summary>
    public int EpochSeconds { get; }

    /// <summary>How many hex digits a bucket has in a URL: ⌈b/4⌉.</summary>
    public int BucketHexDigits => (BucketBits + 3) / 4;

    /// <summary>The epoch containing <paramref name="time"/>: floor(unix time / E).</summary>
    public ulong EpochAt(DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        if (seconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(time), "times before 1970 have no epoch");
        }

        return (ulong)seconds / (ulong)EpochSeconds;
    }

    /// <summary>
    /// The epochs a callee fetches at <paramref name="now"/> (spec/protocol.md §5 "Epochs at the boundaries"):
    /// the current one; the previous one while a blob stored just before the boundary can still be alive
    /// (<paramref name="maxRetentionSeconds"/>) or the caller's clock lags by up to <paramref name="skewSeconds"/>;
    /// the next one when the caller's clock may already be in it.
    /// </summary>
    public IReadOnlyList<ulong> CandidateEpochs(DateTimeOffset now, int maxRetentionSeconds, int skewSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetentionSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(skewSeconds);
        var current = EpochAt(now);
        var intoEpoch = now.ToUnixTimeSeconds() - ((long)current * EpochSeconds);
        var epochs = new List<ulong>(3) { current };
        if (current > 0 && intoEpoch < maxRetentionSeconds + skewSeconds)
        {
            epochs.Add(current - 1);
        }

        if (EpochSeconds - intoEpoch <= skewSeconds)
        {
            epochs.Add(current + 1);
        }

        return epochs;
    }

    /// <summary>The first instant of epoch <paramref name="epoch"/>.</summary>
    public DateTimeOffset EpochStart(ulong epoch) => DateTimeOffset.FromUnixTimeSeconds(checked((long)(epoch * (ulong)EpochSeconds)));

    /// <summary>Whether two parameter sets describe the same index function.</summary>
    public bool SameFunctionAs(IndexParameters other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Salt.SequenceEqual(other.Salt) && MemoryKiB == other.MemoryKiB && Iterations == other.Iterations
            && BucketBits == other.BucketBits && EpochSeconds == other.EpochSeconds;
    }
}
