using Stir.Encrypted.Cps;

namespace Stir.Encrypted.Calls;

/// <summary>How a <see cref="CallVerifier"/> retrieves and judges.</summary>
public sealed class CallVerifierOptions
{
    /// <summary>How long a consumed PASSporT is remembered: its freshness window plus the skew (default 65 s).</summary>
    public TimeSpan ConsumedWindow { get; init; } = TimeSpan.FromSeconds(65);

    /// <summary>At most this many consumed PASSporTs are remembered.</summary>
    public int ConsumedCapacity { get; init; } = 100_000;

    /// <summary>How the CPS is reached (timeouts: a verdict must come within call setup).</summary>
    public CpsClientOptions Cps { get; init; } = new();

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
