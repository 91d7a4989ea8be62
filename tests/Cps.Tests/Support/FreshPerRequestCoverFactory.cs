using System.Security.Cryptography;
using NSec.Cryptography;
using Stir.Encrypted.CpsService.CoverTraffic;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// RFC 8816 §6.2's rule taken literally: a fresh, well-formed dummy (real X25519 key, random ciphertext) for every
/// retrieval, never repeated. Each blob alone is perfect; over repeated polls the real blobs persist and these do
/// not, which the TM-05 detector must see.
/// </summary>
internal sealed class FreshPerRequestCoverFactory : ICoverBlobFactory
{
    public void Write(ReadOnlySpan<byte> coverKey, in CoverOccupant occupant, Span<byte> blob)
    {
        using var key = Key.Create(KeyAgreementAlgorithm.X25519);
        key.PublicKey.Export(KeyBlobFormat.RawPublicKey).CopyTo(blob);
        RandomNumberGenerator.Fill(blob[32..]);
    }
}
