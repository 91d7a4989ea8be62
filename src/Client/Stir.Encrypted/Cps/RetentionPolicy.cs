namespace Stir.Encrypted.Cps;

/// <summary>
/// How long blobs live (spec/protocol.md §9): every occupant of a slot, real or decoy, lives
/// <c>Min + min(Exp(MeanExtra), Max − Min)</c>.
/// </summary>
public sealed record RetentionPolicy
{
    /// <summary>Creates a policy.</summary>
    public RetentionPolicy(int minSeconds, int meanExtraSeconds, int maxSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(meanExtraSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeconds, minSeconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSeconds, 3600);
        MinSeconds = minSeconds;
        MeanExtraSeconds = meanExtraSeconds;
        MaxSeconds = maxSeconds;
    }

    /// <summary>The version-1 default: 20 s guaranteed, 10 s mean extra, 60 s at most (RFC 8816 §7.5).</summary>
    public static RetentionPolicy Default { get; } = new(20, 10, 60);

    /// <summary>A stored blob is retrievable at least this long.</summary>
    public int MinSeconds { get; }

    /// <summary>The mean of the exponential extra lifetime.</summary>
    public int MeanExtraSeconds { get; }

    /// <summary>No blob is served or kept longer than this.</summary>
    public int MaxSeconds { get; }
}
