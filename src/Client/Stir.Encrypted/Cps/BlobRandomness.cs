using System.Security.Cryptography;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Cps;

/// <summary>
/// Every random choice a caller makes when it seals a blob (spec/protocol.md §4): the ephemeral key pair, the
/// content key, the positions of the holders' stanzas and the bytes of the unused stanzas. Production uses
/// <see cref="System"/>, the operating system's CSPRNG; tests derive a subclass to fix the choices for
/// known-answer examples (Appendix A) and statistical tests with a fixed seed (CONVENTIONS.md: randomness is
/// injectable through internal overloads, never reflection).
/// </summary>
internal class BlobRandomness
{
    /// <summary>The operating system's CSPRNG.</summary>
    public static BlobRandomness System { get; } = new();

    /// <summary>A fresh ephemeral key pair (RFC 9180 §4 GenerateKeyPair); the caller disposes it.</summary>
    public virtual HpkePrivateKey EphemeralKey() => HpkePrivateKey.Generate(BlobSealer.Suite.Kem);

    /// <summary>Fills the content key CEK.</summary>
    public virtual void ContentKey(Span<byte> cek) => RandomNumberGenerator.Fill(cek);

    /// <summary>Fills an unused stanza.</summary>
    public virtual void UnusedStanza(Span<byte> stanza) => RandomNumberGenerator.Fill(stanza);

    /// <summary>A uniform integer in [0, <paramref name="toExclusive"/>).</summary>
    public virtual int Next(int toExclusive) => RandomNumberGenerator.GetInt32(toExclusive);

    /// <summary>
    /// A uniformly random arrangement of the stanza positions 0..<paramref name="count"/> − 1 (Fisher–Yates, each
    /// swap drawn with <see cref="Next"/>): the i-th holder's stanza goes at position <c>result[i]</c>.
    /// </summary>
    public virtual int[] Positions(int count)
    {
        var positions = new int[count];
        for (var i = 0; i < count; i++)
        {
            positions[i] = i;
        }

        for (var i = count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (positions[i], positions[j]) = (positions[j], positions[i]);
        }

        return positions;
    }
}
