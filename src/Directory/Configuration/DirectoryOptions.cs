using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.DirectoryService.Configuration;

/// <summary>
/// The directory's settings, bound from the configuration section <c>Directory</c> over these code defaults and
/// checked at start by <see cref="DirectoryOptionsValidator"/>. spec/protocol.md §10 names each.
/// </summary>
internal sealed class DirectoryOptions
{
    public const string SectionName = "Directory";

    /// <summary>PEM file of the STI trust anchors (root CA certificates) key records must chain to. Required.</summary>
    public string? TrustAnchorsFile { get; set; }

    /// <summary>The operator's SPC authorization file (which numbers each SPC holds), for SPC certificates; optional.</summary>
    public string? SpcAuthorizationFile { get; set; }

    /// <summary>Where the store keeps its files (<c>&lt;DataDirectory&gt;/directory/</c>).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary><c>b</c>: the bits of SHA-256 kept as the bucket of a number.</summary>
    public int BucketBits { get; set; } = KeyRecordBucket.DefaultBits;

    /// <summary>The exact size of every bucketed answer, in bytes.</summary>
    public int BucketBytes { get; set; } = 65536;

    /// <summary>Records whose ranges hold more numbers than this are served in every bucket (their buckets are not enumerated).</summary>
    public int RangeBucketLimit { get; set; } = 65536;

    /// <summary>The longest <c>exp</c> − <c>nbf</c> of a record accepted, in days.</summary>
    public int MaxValidityDays { get; set; } = 90;

    /// <summary>How far in the future <c>iat</c> may lie, in seconds.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>How many accepted publications and revocations the change log keeps for <c>/v1/changes</c>.</summary>
    public int ChangeLogRetention { get; set; } = 100_000;

    /// <summary>The most changes one <c>/v1/changes</c> answer carries.</summary>
    public int ChangesPerPage { get; set; } = 1000;

    public EnumZoneOptions Enum { get; init; } = new();
}

/// <summary>What <c>GET /v1/enum/zone</c> writes into the NAPTR records of the numbers served.</summary>
internal sealed class EnumZoneOptions
{
    /// <summary>The CPS base URL published as <c>E2U+x-stir-cps:https</c>; null for none.</summary>
    public string? CpsUrl { get; set; }

    /// <summary>This directory's public base URL, published as <c>E2U+x-stir-dir:https</c>; null for none.</summary>
    public string? DirectoryUrl { get; set; }

    /// <summary>The SOA MNAME and NS target.</summary>
    public string NameServer { get; set; } = "ns.invalid";

    /// <summary>The SOA RNAME.</summary>
    public string Hostmaster { get; set; } = "hostmaster.invalid";

    public int TtlSeconds { get; set; } = 3600;
}
