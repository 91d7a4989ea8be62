using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.KeyRecords;

/// <summary>How <see cref="KeyRecordVerifier"/> judges times and keys; the defaults suit a caller looking up keys.</summary>
public sealed class KeyRecordVerifierOptions
{
    /// <summary>The default clock skew allowed on <c>iat</c> and <c>nbf</c>: 60 s.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(60);

    /// <summary>How far in the future <c>iat</c> (and, when checked, <c>nbf</c>) may lie.</summary>
    public TimeSpan ClockSkew
    {
        get;
        init => field = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a skew is not negative");
    } = DefaultClockSkew;

    /// <summary>The longest <c>exp</c> − <c>nbf</c> accepted; null for no limit (the directory sets one).</summary>
    public TimeSpan? MaxValidity
    {
        get;
        init => field = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a validity is positive");
    }

    /// <summary>
    /// Whether a record whose <c>nbf</c> is still in the future is refused (<see cref="KeyRecordFailure.NotYetValid"/>).
    /// True for callers, who encrypt now; a directory stores records ahead of their time and sets it false.
    /// </summary>
    public bool RequireCurrentlyValid { get; init; } = true;

    /// <summary>The HPKE suites accepted; version 1 has exactly one (spec/protocol.md §4).</summary>
    public IReadOnlyList<HpkeSuite> Suites
    {
        get;
        init => field = value is { Count: > 0 } ? value : throw new ArgumentException("at least one suite", nameof(value));
    } = [HpkeSuite.X25519Sha256ChaCha20Poly1305];
}
