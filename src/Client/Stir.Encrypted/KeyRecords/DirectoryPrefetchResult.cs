namespace Stir.Encrypted.KeyRecords;

/// <summary>What <see cref="DirectoryClient.PrefetchAsync"/> fetched: the buckets of the numbers, hidden among decoys.</summary>
public sealed class DirectoryPrefetchResult
{
    internal DirectoryPrefetchResult(int numbers, int realBuckets, int decoyBuckets, int truncatedBuckets, IReadOnlyList<string> failures)
    {
        Numbers = numbers;
        RealBuckets = realBuckets;
        DecoyBuckets = decoyBuckets;
        TruncatedBuckets = truncatedBuckets;
        Failures = failures;
    }

    /// <summary>How many numbers were given.</summary>
    public int Numbers { get; }

    /// <summary>How many distinct buckets those numbers fall in.</summary>
    public int RealBuckets { get; }

    /// <summary>How many random other buckets were fetched with them.</summary>
    public int DecoyBuckets { get; }

    /// <summary>How many fetched buckets were cut at their size (their numbers may need a snapshot sync).</summary>
    public int TruncatedBuckets { get; }

    /// <summary>Buckets that could not be fetched, with why (their numbers are not refreshed).</summary>
    public IReadOnlyList<string> Failures { get; }
}
