using System.Security.Cryptography;
using Stir.Encrypted.CpsService.CoverTraffic;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Deliberately bad decoy generator: uniformly random bytes. Its <c>enc</c> has the top bit set half the time
/// and lies off the curve half the time, which no real HPKE encapsulation does; the TM-04 detector must see it.
/// </summary>
internal sealed class RandomBytesCoverFactory : ICoverBlobFactory
{
    public void Write(ReadOnlySpan<byte> coverKey, in CoverOccupant occupant, Span<byte> blob) => RandomNumberGenerator.Fill(blob);
}
