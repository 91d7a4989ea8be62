namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// Makes the bytes of a cover blob. The service's implementation derives them from <c>K_cover</c> and the
/// occupant's identity (spec/protocol.md §9); tests inject deliberately broken ones to show that the
/// indistinguishability tests detect a bad generator.
/// </summary>
internal interface ICoverBlobFactory
{
    /// <summary>Writes the cover blob of <paramref name="occupant"/> into <paramref name="blob"/> (its size-class length).</summary>
    void Write(ReadOnlySpan<byte> coverKey, in CoverOccupant occupant, Span<byte> blob);
}
