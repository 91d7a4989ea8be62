using System.Collections.Frozen;

namespace Stir.Encrypted.Passports;

/// <summary>The policy of a <see cref="PassportVerifier"/>.</summary>
public sealed class PassportVerifierOptions
{
    /// <summary>The defaults: 60 s freshness, 5 s skew, every supported ppt, x5u or x5c, https-only x5u.</summary>
    public static PassportVerifierOptions Default { get; } = new();

    /// <summary>
    /// How old <c>iat</c> may be: RFC 8224 §6.2 step 4 recommends 60 seconds. A PASSporT exactly this old
    /// is fresh; one second more is stale.
    /// </summary>
    public TimeSpan Freshness
    {
        get;
        init => field = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
    } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far in the future <c>iat</c> may be. Some allowance is needed because the signer's and the
    /// verifier's clocks differ and <c>iat</c> is truncated to whole seconds (often taken from the SIP Date
    /// header); a large one would stretch the replay window, since a PASSporT dated ahead stays "fresh" for
    /// the skew plus the freshness window. 5 s covers NTP-synchronized hosts with margin.
    /// </summary>
    public TimeSpan FutureSkew
    {
        get;
        init => field = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must not be negative");
    } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How old the original (innermost) PASSporT of a diversion chain may be. RFC 8946 §4.2 step 4
    /// recommends the same window as <see cref="Freshness"/> (the default, so an old PASSporT cannot be
    /// replayed inside a fresh div), and allows up to about three hours for transferred calls.
    /// </summary>
    public TimeSpan? DivertedOriginalFreshness
    {
        get;
        init => field = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
    }

    /// <summary>
    /// The PASSporT types accepted: <see cref="PassportTypes.Baseline"/> (no ppt), <see cref="PassportTypes.Shaken"/>,
    /// <see cref="PassportTypes.Div"/>, <see cref="PassportTypes.DivO"/>. Default: all of them.
    /// </summary>
    public IReadOnlySet<string> AllowedPpts
    {
        get;
        init => field = value is { Count: > 0 } && value.All(p => p == PassportTypes.Baseline || PassportTypes.IsSupported(p))
            ? value.ToFrozenSet(StringComparer.Ordinal)
            : throw new ArgumentException($"allowed ppts are a non-empty subset of \"\", {string.Join(", ", PassportTypes.Supported)}", nameof(value));
    } = new[] { PassportTypes.Baseline, PassportTypes.Shaken, PassportTypes.Div, PassportTypes.DivO }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether the header must name its certificate by <c>x5u</c>, by <c>x5c</c>, or either.</summary>
    public PassportKeyReference KeyReference { get; init; } = PassportKeyReference.Either;

    /// <summary>How tokens are parsed (size limits, http x5u on loopback for test rigs).</summary>
    public PassportParseOptions ParseOptions
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = PassportParseOptions.Default;

    internal TimeSpan OriginalFreshness => DivertedOriginalFreshness ?? Freshness;
}
