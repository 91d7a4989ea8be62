using System.Text.Json.Nodes;

namespace Stir.Encrypted.DirectoryService.Problems;

/// <summary>One occurrence of a <see cref="ProblemType"/>: what exactly was wrong with this request, and extension members.</summary>
internal sealed record Problem(ProblemType Type, string Detail)
{
    /// <summary>RFC 9457 §3.2 extension members, written after the standard ones.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? Extensions { get; init; }

    public TimeSpan? RetryAfter { get; init; }
}
