namespace Stir.Encrypted.Cps;

/// <summary>How a <see cref="CpsClient"/> behaves.</summary>
public sealed class CpsClientOptions
{
    /// <summary>The least Argon2id memory a CPS may publish (KiB); below it the configuration is refused.</summary>
    public int MinimumMemoryKiB { get; init; } = IndexParameters.DefaultMemoryKiB;

    /// <summary>The fewest Argon2id passes a CPS may publish.</summary>
    public int MinimumIterations { get; init; } = IndexParameters.DefaultIterations;

    /// <summary>
    /// The weakest epoch, bucket width, slot count and retention a CPS may publish (spec/protocol.md §7 "Client
    /// floors"); the documented floors by default, which can only be tightened.
    /// </summary>
    public CpsConfigurationFloors Floors { get; init; } = CpsConfigurationFloors.Documented;

    /// <summary>
    /// A file remembering the last configuration accepted from each CPS (like SSH's <c>known_hosts</c>), so that a
    /// change in a privacy-relevant member is reported by the next process too (spec/protocol.md §7 "Change report");
    /// null remembers in memory only, for the client's lifetime. Read when the client is created, rewritten by atomic
    /// replace (owner-only) when an entry is new or changed.
    /// </summary>
    public string? KnownConfigurationsFile { get; init; }

    /// <summary>How long a fetched configuration is used before fetching it again.</summary>
    public TimeSpan ConfigurationMaxAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Bound on each request: a CPS on the call path must answer within call setup or be skipped.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// When set, every store carries a storer token signed with it (spec/protocol.md §8 "Storer authentication"),
    /// which a CPS that requires storer authentication checks; a CPS that does not ignores it.
    /// </summary>
    public CpsStorerCredential? StorerCredential { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
