namespace Stir.Encrypted.Cps;

/// <summary>
/// The weakest CPS configuration a client accepts (spec/protocol.md §7 "Client floors"), besides the Argon2id
/// minimums of <see cref="CpsClientOptions"/>. Each member can only be set to its documented value or a stronger
/// one: a CPS, not the client, is the untrusted party, and a client that could be configured below the floors would
/// let a deployment quietly give up the privacy claims of TM-01 and TM-02.
/// </summary>
public sealed class CpsConfigurationFloors
{
    /// <summary>The documented longest epoch, in seconds: the service default (one Argon2id covers one hour).</summary>
    public const int DocumentedMaxEpochSeconds = 3600;

    /// <summary>The documented widest bucket, in bits: 2^20 buckets leave too few unrelated calls per bucket (spec §9).</summary>
    public const int DocumentedMaxBucketBits = 20;

    /// <summary>The documented fewest slots per size class: the blobs (real or decoy) every retrieval returns.</summary>
    public const int DocumentedMinSlots = 8;

    /// <summary>The documented longest blob lifetime (<c>retention.maxSeconds</c>), in seconds.</summary>
    public const int DocumentedMaxRetentionSeconds = 120;

    /// <summary>The documented shortest guaranteed lifetime (<c>retention.minSeconds</c>), in seconds.</summary>
    public const int DocumentedMinRetentionSeconds = 5;

    /// <summary>The documented smallest mean of the random extra lifetime (<c>retention.meanExtraSeconds</c>), in seconds.</summary>
    public const int DocumentedMinMeanExtraSeconds = 1;

    private readonly int _maxEpochSeconds = DocumentedMaxEpochSeconds;
    private readonly int _maxBucketBits = DocumentedMaxBucketBits;
    private readonly int _minSlots = DocumentedMinSlots;
    private readonly int _maxRetentionSeconds = DocumentedMaxRetentionSeconds;
    private readonly int _minRetentionSeconds = DocumentedMinRetentionSeconds;
    private readonly int _minMeanExtraSeconds = DocumentedMinMeanExtraSeconds;

    /// <summary>Creates the documented floors; tighten them with the init accessors.</summary>
    public CpsConfigurationFloors()
    {
    }

    // The document's own ranges (spec/protocol.md §7), set past the init accessors' checks.
    private CpsConfigurationFloors(bool formatLimitsOnly)
    {
        _ = formatLimitsOnly;
        _maxEpochSeconds = 7 * 24 * 3600;
        _maxBucketBits = 32;
        _minSlots = 2;
        _maxRetentionSeconds = 3600;
        _minRetentionSeconds = 1;
        _minMeanExtraSeconds = 1;
    }

    /// <summary>The documented floors.</summary>
    public static CpsConfigurationFloors Documented { get; } = new();

    /// <summary>The longest <c>epochSeconds</c> accepted; 60 to <see cref="DocumentedMaxEpochSeconds"/>.</summary>
    public int MaxEpochSeconds
    {
        get => _maxEpochSeconds;
        init => _maxEpochSeconds = Within(value, 60, DocumentedMaxEpochSeconds, nameof(MaxEpochSeconds));
    }

    /// <summary>The most <c>index.bucketBits</c> accepted; 1 to <see cref="DocumentedMaxBucketBits"/>.</summary>
    public int MaxBucketBits
    {
        get => _maxBucketBits;
        init => _maxBucketBits = Within(value, 1, DocumentedMaxBucketBits, nameof(MaxBucketBits));
    }

    /// <summary>The fewest <c>slots</c> accepted in every class; <see cref="DocumentedMinSlots"/> to 256.</summary>
    public int MinSlots
    {
        get => _minSlots;
        init => _minSlots = Within(value, DocumentedMinSlots, 256, nameof(MinSlots));
    }

    /// <summary>The longest <c>retention.maxSeconds</c> accepted; 1 to <see cref="DocumentedMaxRetentionSeconds"/>.</summary>
    public int MaxRetentionSeconds
    {
        get => _maxRetentionSeconds;
        init => _maxRetentionSeconds = Within(value, 1, DocumentedMaxRetentionSeconds, nameof(MaxRetentionSeconds));
    }

    /// <summary>The shortest <c>retention.minSeconds</c> accepted; <see cref="DocumentedMinRetentionSeconds"/> to 3600.</summary>
    public int MinRetentionSeconds
    {
        get => _minRetentionSeconds;
        init => _minRetentionSeconds = Within(value, DocumentedMinRetentionSeconds, 3600, nameof(MinRetentionSeconds));
    }

    /// <summary>The smallest <c>retention.meanExtraSeconds</c> accepted; <see cref="DocumentedMinMeanExtraSeconds"/> to 3600.</summary>
    public int MinMeanExtraSeconds
    {
        get => _minMeanExtraSeconds;
        init => _minMeanExtraSeconds = Within(value, DocumentedMinMeanExtraSeconds, 3600, nameof(MinMeanExtraSeconds));
    }

    /// <summary>
    /// No floor beyond the document's own ranges: only for tests of the service that run it outside the floors on
    /// purpose (e.g. lifetimes longer than a kill-and-restart test), never reachable through the public API.
    /// </summary>
    internal static CpsConfigurationFloors FormatLimitsOnly { get; } = new(formatLimitsOnly: true);

    // A floor below the documented one would accept what the spec calls too weak: that is misuse, not configuration.
    private static int Within(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} accepts {min}..{max}: the documented floor or stronger (spec/protocol.md §7)");
}
