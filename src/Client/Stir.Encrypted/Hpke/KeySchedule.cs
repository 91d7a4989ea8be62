using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>The HPKE key schedule, RFC 9180 §5.1 <c>KeySchedule&lt;ROLE&gt;()</c>.</summary>
internal static class KeySchedule
{
    // RFC 9180 §5.1 VerifyPSKInputs(mode, psk, psk_id). The inputs come from the program (which mode it
    // set up), so an inconsistency is misuse.
    public static void VerifyPskInputs(HpkeMode mode, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId)
    {
        var gotPsk = !psk.IsEmpty;
        var gotPskId = !pskId.IsEmpty;
        if (gotPsk != gotPskId)
        {
            throw new ArgumentException("Inconsistent PSK inputs: psk and psk_id must be given together (RFC 9180 §5.1)");
        }

        if (gotPsk && mode is HpkeMode.Base or HpkeMode.Auth)
        {
            throw new ArgumentException($"PSK input provided when not needed (mode {mode}, RFC 9180 §5.1)");
        }

        if (!gotPsk && mode is HpkeMode.Psk or HpkeMode.AuthPsk)
        {
            throw new ArgumentException($"Missing required PSK input (mode {mode}, RFC 9180 §5.1)");
        }
    }

    // RFC 9180 §5.1:
    //   psk_id_hash = LabeledExtract("", "psk_id_hash", psk_id)
    //   info_hash = LabeledExtract("", "info_hash", info)
    //   key_schedule_context = concat(mode, psk_id_hash, info_hash)
    //   secret = LabeledExtract(shared_secret, "secret", psk)
    //   key = LabeledExpand(secret, "key", key_schedule_context, Nk)
    //   base_nonce = LabeledExpand(secret, "base_nonce", key_schedule_context, Nn)
    //   exporter_secret = LabeledExpand(secret, "exp", key_schedule_context, Nh)
    // The export-only AEAD has Nk = Nn = 0: no key and no nonce (RFC 9180 §5.3).
    // keyScheduleContext (1 + 2·Nh bytes) and secret (Nh bytes) are outputs so that the known-answer
    // tests can check them; callers that do not need them still provide the space. An empty
    // exporterSecret skips its derivation: single-shot Seal/Open never export, and a callee runs this
    // for every blob it trial-opens.
    public static void Derive(
        HpkeSuite suite,
        HpkeMode mode,
        ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk,
        ReadOnlySpan<byte> pskId,
        Span<byte> keyScheduleContext,
        Span<byte> secret,
        Span<byte> key,
        Span<byte> baseNonce,
        Span<byte> exporterSecret)
    {
        VerifyPskInputs(mode, psk, pskId);
        var kdf = suite.KdfAlgorithm;
        var aead = suite.AeadAlgorithm;
        var nh = kdf.Nh;
        if (keyScheduleContext.Length != 1 + (2 * nh) || secret.Length != nh || (exporterSecret.Length != nh && !exporterSecret.IsEmpty)
            || key.Length != aead.Nk || baseNonce.Length != aead.Nn)
        {
            throw new ArgumentException($"key schedule outputs for {suite.Name} are 1 + 2·Nh, Nh, Nk, Nn and Nh (or 0) bytes");
        }

        var suiteId = suite.SuiteId;
        keyScheduleContext[0] = (byte)mode;
        if (pskId.IsEmpty)
        {
            // Modes base and auth (every blob): psk_id_hash is a constant of the suite, computed once.
            suite.EmptyPskIdHash.CopyTo(keyScheduleContext.Slice(1, nh));
        }
        else
        {
            kdf.LabeledExtract(suiteId, default, "psk_id_hash"u8, pskId, keyScheduleContext.Slice(1, nh));
        }

        kdf.LabeledExtract(suiteId, default, "info_hash"u8, info, keyScheduleContext.Slice(1 + nh, nh));

        kdf.LabeledExtract(suiteId, sharedSecret, "secret"u8, psk, secret);
        if (!aead.IsExportOnly)
        {
            kdf.LabeledExpand(suiteId, secret, "key"u8, keyScheduleContext, key);
            kdf.LabeledExpand(suiteId, secret, "base_nonce"u8, keyScheduleContext, baseNonce);
        }

        if (!exporterSecret.IsEmpty)
        {
            kdf.LabeledExpand(suiteId, secret, "exp"u8, keyScheduleContext, exporterSecret);
        }
    }

    // RFC 9180 §5.2 ComputeNonce(seq): xor(base_nonce, I2OSP(seq, Nn)). The sequence number is 64 bits,
    // shorter than Nn = 12 bytes (allowed by §5.2), so only the last 8 bytes change.
    public static void ComputeNonce(ReadOnlySpan<byte> baseNonce, ulong seq, Span<byte> nonce)
    {
        baseNonce.CopyTo(nonce);
        for (var i = 0; i < 8; i++)
        {
            nonce[nonce.Length - 1 - i] ^= (byte)(seq >> (8 * i));
        }
    }

    /// <summary>Wipes the secret outputs of <see cref="Derive"/>.</summary>
    public static void Wipe(Span<byte> secret, Span<byte> key, Span<byte> exporterSecret)
    {
        CryptographicOperations.ZeroMemory(secret);
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(exporterSecret);
    }
}
