namespace Stir.Encrypted.CpsService.CoverTraffic;

/// <summary>
/// The one X25519 operation cover blobs need: the public key of a secret scalar (RFC 7748 §6.1,
/// X25519(sk, 9) with the scalar clamped), so that a decoy's <c>enc</c> is a real curve point exactly like a
/// real blob's HPKE encapsulation. A seam so that a faster implementation can replace the NSec one.
/// </summary>
internal interface ICoverKeyAgreement
{
    /// <summary>Writes the 32-byte public key of the 32-byte secret <paramref name="sk"/> into <paramref name="pk"/>.</summary>
    void PublicKey(ReadOnlySpan<byte> sk, Span<byte> pk);
}
