namespace Stir.Encrypted.Cps;

/// <summary>How a <see cref="CpsClient"/> behaves.</summary>
public sealed class CpsClientOptions
{
    /// <summary>The least Argon2id memory a CPS may publish (KiB); below it the configuration is refused.</summary>
    public int MinimumMemoryKiB { get; init; } = IndexParameters.DefaultMemoryKiB;

    /// <summary>The fewest Argon2id passes a CPS may publish.</summary>
    public int MinimumIterations { get; init; } = IndexParameters.DefaultIterations;

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
