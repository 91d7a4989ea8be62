using Stir.Encrypted.Cps;

namespace Stir.Encrypted.Calls;

/// <summary>How a <see cref="CallVerifier"/> retrieves and judges.</summary>
public sealed class CallVerifierOptions
{
    /// <summary>How long a consumed PASSporT is remembered: its freshness window plus the skew (default 65 s).</summary>
    public TimeSpan ConsumedWindow { get; init; } = TimeSpan.FromSeconds(65);

    /// <summary>At most this many consumed PASSporTs are remembered.</summary>
    public int ConsumedCapacity { get; init; } = 100_000;

    /// <summary>
    /// A file that keeps the consumed PASSporTs (hashes of their signatures, and when) across processes, for a
    /// verifier that runs once per call (`stir verify`); null keeps them in memory for the verifier's lifetime.
    /// One process at a time: concurrent verifiers on one file may each miss the other's last call.
    /// </summary>
    public string? ConsumedStateFile { get; init; }

    /// <summary>How the CPS is reached (timeouts: a verdict must come within call setup).</summary>
    public CpsClientOptions Cps { get; init; } = new();

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
