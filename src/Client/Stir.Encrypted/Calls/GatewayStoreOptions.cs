using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Calls;

/// <summary>How a <see cref="GatewayStore"/> lifts and remembers what it stored.</summary>
public sealed class GatewayStoreOptions
{
    /// <summary>How long a stored PASSporT is remembered as stored: its freshness window plus the skew (default 65 s).</summary>
    public TimeSpan StoredWindow { get; init; } = TimeSpan.FromSeconds(65);

    /// <summary>At most this many stored PASSporTs are remembered.</summary>
    public int StoredCapacity { get; init; } = 100_000;

    /// <summary>How lifted PASSporTs are parsed.</summary>
    public PassportParseOptions ParseOptions { get; init; } = PassportParseOptions.Default;

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
