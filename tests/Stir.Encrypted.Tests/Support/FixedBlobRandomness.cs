using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Tests.Support;

/// <summary>
/// Fixed choices for byte-exact examples (spec/protocol.md Appendix A): the given ephemeral key, content key, stanza
/// arrangement (holder i's stanza at <c>arrangement[i]</c>, unused stanzas at the rest, in order) and unused-stanza
/// bytes. For one blob only; never for production.
/// </summary>
internal sealed class FixedBlobRandomness(HpkePrivateKey ephemeral, byte[] contentKey, int[] arrangement, IReadOnlyList<byte[]> unusedStanzas) : BlobRandomness
{
    private int _unused;

    // The sealer disposes the key it is given: hand it a copy.
    public override HpkePrivateKey EphemeralKey() => HpkePrivateKey.Import(ephemeral.Kem, ephemeral.Export());

    public override void ContentKey(Span<byte> cek) => contentKey.CopyTo(cek);

    public override void UnusedStanza(Span<byte> stanza) => unusedStanzas[_unused++].CopyTo(stanza);

    public override int[] Positions(int count) => count == arrangement.Length
        ? (int[])arrangement.Clone()
        : throw new ArgumentException($"the arrangement has {arrangement.Length} positions, not {count}", nameof(count));

    public override int Next(int toExclusive) => throw new InvalidOperationException("a fixed arrangement draws nothing");
}
