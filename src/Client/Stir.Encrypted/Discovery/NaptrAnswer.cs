namespace Stir.Encrypted.Discovery;

/// <summary>
/// An answer to a NAPTR query: the records, or "no records" (NXDOMAIN or NODATA). <see cref="Ttl"/> is how long
/// the answer may be cached: the lowest record TTL, or for no records the negative-caching TTL of RFC 2308 §5.
/// </summary>
internal sealed record NaptrAnswer(string Domain, IReadOnlyList<NaptrRecord> Records, string? NoRecordsReason, TimeSpan Ttl)
{
    public bool FromCache { get; init; }

    public static NaptrAnswer WithRecords(string domain, IReadOnlyList<NaptrRecord> records, TimeSpan ttl) => new(domain, records, null, ttl);

    public static NaptrAnswer NoRecords(string domain, string reason, TimeSpan ttl) => new(domain, [], reason, ttl);
}
