namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// How far a long <see cref="DirectoryClient"/> operation is, for a progress display: the stage, and how many of
/// its steps are done out of how many (<see cref="Total"/> is 0 while the total is not known yet).
/// </summary>
/// <remarks>Reports count buckets, pages and entries; they never name a number or a bucket.</remarks>
public sealed class DirectoryProgress
{
    internal DirectoryProgress(string stage, int done, int total)
    {
        Stage = stage;
        Done = done;
        Total = total;
    }

    /// <summary>Sync: <c>snapshot</c>, <c>changes</c>, <c>verify</c>; prefetch: <c>buckets</c>.</summary>
    public string Stage { get; }

    /// <summary>Steps done in the stage (entries received, changes applied, entries verified, buckets fetched).</summary>
    public int Done { get; }

    /// <summary>Steps in the stage, or 0 when not known in advance.</summary>
    public int Total { get; }

    /// <summary>One line for people.</summary>
    public override string ToString() => Total > 0 ? $"{Stage} {Done}/{Total}" : $"{Stage} {Done}";
}
