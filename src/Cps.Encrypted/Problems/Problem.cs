using System.Text.Json.Nodes;

namespace Stir.Encrypted.CpsService.Problems;

/// <summary>
/// One occurrence of a <see cref="ProblemType"/>: what exactly was wrong with this request (<see cref="Detail"/>,
/// never an internal detail), optional extension members, and how long to wait before retrying.
/// </summary>
internal sealed record Problem(ProblemType Type, string Detail)
{
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>RFC 9457 §3.2 extension members (e.g. the accepted epochs), written after the standard ones.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? Extensions { get; init; }
}
