using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

// HPKE operations of a suite: RFC 9180 §6.1 single-shot Seal/Open in base mode, producing and consuming
// `enc || ct` (the shape of Go's crypto/hpke), and §5.1 Setup of multi-message contexts. The psk, auth and
// auth_psk modes are internal: the protocol uses base mode; the known-answer tests reach the others.
public sealed partial class HpkeSuite
{
    /// <summary>
    /// SealBase(pkR, info, aad, pt) (RFC 9180 §6.1): encrypts <paramref name="plaintext"/> to
    /// <paramref name="recipient"/> and returns <c>enc || ct</c>, <see cref="CiphertextSize"/> bytes.
    /// </summary>
    /// <exception cref="ArgumentException">The key belongs to another KEM, or the suite is export-only.</exception>
    public byte[] Seal(HpkePublicKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        RequireSealable();
        var ciphertext = new byte[CiphertextSize(plaintext.Length)];
        Seal(recipient, info, aad, plaintext, ciphertext);
        return ciphertext;
    }

    /// <summary>
    /// SealBase into <paramref name="ciphertext"/>, which must be exactly
    /// <see cref="CiphertextSize"/>(<paramref name="plaintext"/>.Length) bytes and must not overlap the plaintext.
    /// </summary>
    /// <exception cref="ArgumentException">The key belongs to another KEM, the suite is export-only, or the buffer has the wrong size or overlaps.</exception>
    public void Seal(HpkePublicKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext) =>
        Seal(recipient, info, aad, plaintext, ciphertext, default, default, sender: null, ephemeral: null);

    /// <summary>
    /// OpenBase(enc, skR, info, aad, ct) (RFC 9180 §6.1) of a single-shot <c>enc || ct</c> into
    /// <paramref name="plaintext"/>, which must be exactly <see cref="PlaintextSize"/>(<paramref name="ciphertext"/>.Length)
    /// bytes. Returns false, without an exception and without saying which check failed, when the message
    /// does not open: another recipient's, tampered, truncated, a bad or small-order <c>enc</c>, another
    /// info or aad. <paramref name="plaintext"/> is zeroed then.
    /// </summary>
    /// <exception cref="ArgumentException">The key belongs to another KEM, the suite is export-only, or the buffer has the wrong size or overlaps.</exception>
    public bool TryOpen(HpkePrivateKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext) =>
        TryOpen(recipient, info, aad, ciphertext, plaintext, default, default, sender: null);

    /// <summary>OpenBase of a single-shot <c>enc || ct</c>; the plaintext is null when it does not open.</summary>
    /// <exception cref="ArgumentException">The key belongs to another KEM, or the suite is export-only.</exception>
    public bool TryOpen(HpkePrivateKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, [NotNullWhen(true)] out byte[]? plaintext)
    {
        RequireSealable();
        var buffer = new byte[PlaintextSize(ciphertext.Length)];
        if (TryOpen(recipient, info, aad, ciphertext, buffer))
        {
            plaintext = buffer;
            return true;
        }

        plaintext = null;
        return false;
    }

    /// <summary>
    /// SetupBaseS(pkR, info) (RFC 9180 §5.1.1): a sender context for several messages or exports; send its
    /// <see cref="HpkeSenderContext.EncapsulatedKey"/> to the recipient.
    /// </summary>
    /// <exception cref="ArgumentException">The key belongs to another KEM.</exception>
    public HpkeSenderContext SetupSender(HpkePublicKey recipient, ReadOnlySpan<byte> info) =>
        SetupSender(recipient, info, default, default, sender: null, ephemeral: null);

    /// <summary>
    /// SetupBaseR(enc, skR, info) (RFC 9180 §5.1.1): false, without an exception, when
    /// <paramref name="enc"/> is not a valid encapsulated key of this suite's KEM (wrong length, not on the
    /// curve, small order). A wrong key or info shows only later, when messages do not open.
    /// </summary>
    /// <exception cref="ArgumentException">The key belongs to another KEM.</exception>
    public bool TrySetupRecipient(HpkePrivateKey recipient, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> info, [NotNullWhen(true)] out HpkeRecipientContext? context) =>
        TrySetupRecipient(recipient, enc, info, default, default, sender: null, out context);

    // Seal<MODE>(pkR, info, aad, pt, psk, psk_id, skS) with an optional given ephemeral key (tests).
    internal void Seal(
        HpkePublicKey recipient,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> plaintext,
        Span<byte> ciphertext,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> pskId,
        HpkePrivateKey? sender,
        HpkePrivateKey? ephemeral)
    {
        RequireSealable();
        RequireKemOf(recipient.Kem, nameof(recipient));
        var expected = CiphertextSize(plaintext.Length);
        if (ciphertext.Length != expected)
        {
            throw new ArgumentException($"the ciphertext buffer must be CiphertextSize({plaintext.Length}) = {expected} bytes, got {ciphertext.Length}", nameof(ciphertext));
        }

        if (plaintext.Overlaps(ciphertext))
        {
            throw new ArgumentException("the ciphertext buffer must not overlap the plaintext", nameof(ciphertext));
        }

        var mode = ModeOf(psk, sender is not null);
        KeySchedule.VerifyPskInputs(mode, psk, pskId);
        var kem = KemAlgorithm;
        var enc = ciphertext[..kem.Nenc];
        Span<byte> sharedSecret = stackalloc byte[kem.Nsecret];
        Span<byte> context = stackalloc byte[1 + (2 * KdfAlgorithm.Nh)];
        Span<byte> secret = stackalloc byte[KdfAlgorithm.Nh];
        Span<byte> key = stackalloc byte[AeadAlgorithm.Nk];
        Span<byte> baseNonce = stackalloc byte[AeadAlgorithm.Nn];
        Span<byte> exporterSecret = default; // single-shot: nothing to export
        try
        {
            kem.Encap(recipient.Bytes, RequireKeyOf(sender, nameof(sender)), RequireKeyOf(ephemeral, nameof(ephemeral)), enc, sharedSecret);
            KeySchedule.Derive(this, mode, sharedSecret, info, psk, pskId, context, secret, key, baseNonce, exporterSecret);

            // The first message of a context is at sequence number 0, whose nonce is base_nonce itself.
            using var cipher = AeadAlgorithm.CreateCipher(key);
            cipher.Seal(baseNonce, aad, plaintext, ciphertext[kem.Nenc..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            KeySchedule.Wipe(secret, key, exporterSecret);
        }
    }

    // Open<MODE>(enc, skR, info, aad, ct, psk, psk_id, pkS) for `enc || ct`.
    internal bool TryOpen(
        HpkePrivateKey recipient,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> ciphertext,
        Span<byte> plaintext,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> pskId,
        HpkePublicKey? sender)
    {
        RequireSealable();
        RequireKemOf(recipient.Kem, nameof(recipient));
        var skR = recipient.Key;
        var mode = ModeOf(psk, sender is not null);
        KeySchedule.VerifyPskInputs(mode, psk, pskId);
        var kem = KemAlgorithm;
        if (ciphertext.Length < kem.Nenc + TagSize)
        {
            return false;
        }

        if (plaintext.Length != ciphertext.Length - kem.Nenc - TagSize)
        {
            throw new ArgumentException($"the plaintext buffer must be PlaintextSize({ciphertext.Length}) = {ciphertext.Length - kem.Nenc - TagSize} bytes, got {plaintext.Length}", nameof(plaintext));
        }

        if (plaintext.Overlaps(ciphertext))
        {
            throw new ArgumentException("the plaintext buffer must not overlap the ciphertext", nameof(plaintext));
        }

        Span<byte> sharedSecret = stackalloc byte[kem.Nsecret];
        Span<byte> context = stackalloc byte[1 + (2 * KdfAlgorithm.Nh)];
        Span<byte> secret = stackalloc byte[KdfAlgorithm.Nh];
        Span<byte> key = stackalloc byte[AeadAlgorithm.Nk];
        Span<byte> baseNonce = stackalloc byte[AeadAlgorithm.Nn];
        Span<byte> exporterSecret = default; // single-shot: nothing to export
        try
        {
            if (!kem.TryDecap(ciphertext[..kem.Nenc], skR, sender is null ? default : sender.Bytes, sender is not null, sharedSecret))
            {
                plaintext.Clear();
                return false;
            }

            KeySchedule.Derive(this, mode, sharedSecret, info, psk, pskId, context, secret, key, baseNonce, exporterSecret);
            using var cipher = AeadAlgorithm.CreateCipher(key);
            return cipher.TryOpen(baseNonce, aad, ciphertext[kem.Nenc..], plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            KeySchedule.Wipe(secret, key, exporterSecret);
        }
    }

    // Setup<MODE>S(pkR, info, psk, psk_id, skS) (RFC 9180 §5.1.1–5.1.4).
    internal HpkeSenderContext SetupSender(
        HpkePublicKey recipient,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> pskId,
        HpkePrivateKey? sender,
        HpkePrivateKey? ephemeral)
    {
        RequireKemOf(recipient.Kem, nameof(recipient));
        var mode = ModeOf(psk, sender is not null);
        KeySchedule.VerifyPskInputs(mode, psk, pskId);
        var kem = KemAlgorithm;
        Span<byte> enc = stackalloc byte[kem.Nenc];
        Span<byte> sharedSecret = stackalloc byte[kem.Nsecret];
        Span<byte> context = stackalloc byte[1 + (2 * KdfAlgorithm.Nh)];
        Span<byte> secret = stackalloc byte[KdfAlgorithm.Nh];
        Span<byte> key = stackalloc byte[AeadAlgorithm.Nk];
        Span<byte> baseNonce = stackalloc byte[AeadAlgorithm.Nn];
        Span<byte> exporterSecret = stackalloc byte[KdfAlgorithm.Nh];
        try
        {
            kem.Encap(recipient.Bytes, RequireKeyOf(sender, nameof(sender)), RequireKeyOf(ephemeral, nameof(ephemeral)), enc, sharedSecret);
            KeySchedule.Derive(this, mode, sharedSecret, info, psk, pskId, context, secret, key, baseNonce, exporterSecret);
            return new HpkeSenderContext(this, enc, key, baseNonce, exporterSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            KeySchedule.Wipe(secret, key, exporterSecret);
        }
    }

    // Setup<MODE>R(enc, skR, info, psk, psk_id, pkS) (RFC 9180 §5.1.1–5.1.4).
    internal bool TrySetupRecipient(
        HpkePrivateKey recipient,
        ReadOnlySpan<byte> enc,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> pskId,
        HpkePublicKey? sender,
        [NotNullWhen(true)] out HpkeRecipientContext? context)
    {
        RequireKemOf(recipient.Kem, nameof(recipient));
        var skR = recipient.Key;
        var mode = ModeOf(psk, sender is not null);
        KeySchedule.VerifyPskInputs(mode, psk, pskId);
        var kem = KemAlgorithm;
        Span<byte> sharedSecret = stackalloc byte[kem.Nsecret];
        Span<byte> scheduleContext = stackalloc byte[1 + (2 * KdfAlgorithm.Nh)];
        Span<byte> secret = stackalloc byte[KdfAlgorithm.Nh];
        Span<byte> key = stackalloc byte[AeadAlgorithm.Nk];
        Span<byte> baseNonce = stackalloc byte[AeadAlgorithm.Nn];
        Span<byte> exporterSecret = stackalloc byte[KdfAlgorithm.Nh];
        try
        {
            if (!kem.TryDecap(enc, skR, sender is null ? default : sender.Bytes, sender is not null, sharedSecret))
            {
                context = null;
                return false;
            }

            KeySchedule.Derive(this, mode, sharedSecret, info, psk, pskId, scheduleContext, secret, key, baseNonce, exporterSecret);
            context = new HpkeRecipientContext(this, key, baseNonce, exporterSecret);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            KeySchedule.Wipe(secret, key, exporterSecret);
        }
    }

    private static HpkeMode ModeOf(ReadOnlySpan<byte> psk, bool authenticated) => (psk.IsEmpty, authenticated) switch
    {
        (true, false) => HpkeMode.Base,
        (false, false) => HpkeMode.Psk,
        (true, true) => HpkeMode.Auth,
        (false, true) => HpkeMode.AuthPsk,
    };

    private void RequireSealable()
    {
        if (IsExportOnly)
        {
            throw new ArgumentException($"suite {Name} is export-only (aead_id 0xFFFF): single-shot Seal/Open need an AEAD; use SetupSender(...).Export (RFC 9180 §5.3)");
        }
    }

    private void RequireKemOf(HpkeKem kem, string parameter)
    {
        if (kem != Kem)
        {
            throw new ArgumentException($"the key is a {Dhkem.For(kem).Name} key, but suite {Name} uses {KemAlgorithm.Name}", parameter);
        }
    }

    private DhPrivateKey? RequireKeyOf(HpkePrivateKey? key, string parameter)
    {
        if (key is null)
        {
            return null;
        }

        RequireKemOf(key.Kem, parameter);
        return key.Key;
    }
}
