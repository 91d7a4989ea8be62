using System.Globalization;

namespace Stir.Encrypted.Cps;

/// <summary>
/// A CPS served a configuration that differs, in a member that bears on privacy, from the one this client accepted
/// from it before (spec/protocol.md §7 "Change report"): the salt, the Argon2id cost, the epoch, the bucket width, the
/// size classes and their slots, the retention, or storer authentication. Reported, not refused: the floors refuse
/// what is too weak; this says that what was accepted is no longer what is served.
/// </summary>
public sealed class CpsConfigurationChange
{
    internal CpsConfigurationChange(Uri cps, DateTimeOffset since, IReadOnlyList<string> differences, bool saltChanged)
    {
        Cps = cps;
        Since = since;
        Differences = differences;
        SaltChanged = saltChanged;
    }

    /// <summary>The CPS whose configuration changed.</summary>
    public Uri Cps { get; }

    /// <summary>When the configuration this one replaces was accepted (first served to this client).</summary>
    public DateTimeOffset Since { get; }

    /// <summary>What changed, one member a line, e.g. <c>index.bucketBits 14 → 16</c>.</summary>
    public IReadOnlyList<string> Differences { get; }

    /// <summary>
    /// The salt changed: every bucket stored under the old salt is unreachable under the new one, and a CPS that
    /// shows different salts to different clients splits them into groups it can tell apart.
    /// </summary>
    public bool SaltChanged { get; }

    /// <summary>One line: <c>changed since 2026-12-07T21:00:00Z: index.bucketBits 14 → 16</c>.</summary>
    public override string ToString() =>
        $"changed since {Since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}: {string.Join("; ", Differences)}";

    /// <summary>The privacy-relevant differences from <paramref name="before"/> to <paramref name="after"/>, in document order; empty when none.</summary>
    internal static (List<string> Differences, bool SaltChanged) Compare(CpsConfiguration before, CpsConfiguration after)
    {
        var differences = new List<string>();
        var saltChanged = !before.Index.Salt.SequenceEqual(after.Index.Salt);
        if (saltChanged)
        {
            differences.Add($"index.salt {Fingerprint(before.Index.Salt)} → {Fingerprint(after.Index.Salt)} (the SALT changed: buckets stored under the old salt are unreachable, "
                + "and a CPS that shows different salts to different clients can tell them apart)");
        }

        void Member(string name, object old, object now)
        {
            if (!Equals(old, now))
            {
                differences.Add($"{name} {old} → {now}");
            }
        }

        Member("epochSeconds", before.Index.EpochSeconds, after.Index.EpochSeconds);
        Member("index.memoryKiB", before.Index.MemoryKiB, after.Index.MemoryKiB);
        Member("index.iterations", before.Index.Iterations, after.Index.Iterations);
        Member("index.bucketBits", before.Index.BucketBits, after.Index.BucketBits);
        Member("classes", Classes(before), Classes(after));
        Member("retention.minSeconds", before.Retention.MinSeconds, after.Retention.MinSeconds);
        Member("retention.meanExtraSeconds", before.Retention.MeanExtraSeconds, after.Retention.MeanExtraSeconds);
        Member("retention.maxSeconds", before.Retention.MaxSeconds, after.Retention.MaxSeconds);
        Member("storeAuthentication", Auth(before), Auth(after));
        return (differences, saltChanged);
    }

    private static string Classes(CpsConfiguration c) => "[" + string.Join(", ", c.Classes.Select(k => $"{k.Size} B × {k.Slots} slots")) + "]";

    private static string Auth(CpsConfiguration c) => c.StoreAuthenticationRequired ? "required" : "off";

    // Enough of SHA-256(salt) to tell two salts apart in a message; the salt itself is public anyway.
    private static string Fingerprint(ReadOnlySpan<byte> salt) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(salt).AsSpan(0, 4));
}
