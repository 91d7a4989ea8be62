using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stir.Encrypted.Benchmarks.Primitives;

/// <summary>
/// The floor of one single-shot HPKE message in the blob suite (spec/protocol.md §4: base mode,
/// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305): nothing but the primitive calls RFC 9180
/// requires, in order, on labelled inputs laid out in advance, with no checks, no wiping and no allocation.
/// The HPKE benchmarks use it as their baseline; <see cref="CheckAgainst"/> proves that it computes the same
/// bytes as the library, so the baseline cannot flatter the library by doing less work.
/// </summary>
/// <remarks>
/// One instance per (pkR, info) and per thread: the labelled buffers have slots that each message rewrites.
/// The calls per message, as RFC 9180 lists them:
/// <list type="bullet">
/// <item>§4.1 Encap: GenerateKeyPair (random skE, X25519(skE, 9)), DH(skE, pkR); Decap: DH(skR, enc).</item>
/// <item>§4.1 ExtractAndExpand: LabeledExtract("eae_prk"), LabeledExpand("shared_secret", enc ‖ pkR).</item>
/// <item>§5.1 KeySchedule: LabeledExtract("info_hash"), LabeledExtract("secret"), LabeledExpand("key"),
/// LabeledExpand("base_nonce"). psk_id_hash = LabeledExtract("", "psk_id_hash", "") is the same for every message
/// of the suite in mode base and is computed once, as the library does; the exporter secret is not derived, since
/// a single-shot message never exports.</item>
/// <item>§5.2 Seal/Open at sequence 0 (nonce = base_nonce): one ChaCha20-Poly1305 encryption or decryption.</item>
/// </list>
/// Every primitive is libsodium's, called directly: X25519, HKDF-SHA256 (the library's choice too, see its
/// Kdf.cs) and ChaCha20-Poly1305.
/// </remarks>
internal sealed unsafe class RawHpke
{
    public const int Nenc = 32;
    public const int Nt = 16;
    private const int Nh = 32;
    private const int Nk = 32;
    private const int Nn = 12;
    private const int ContextSize = 1 + (2 * Nh);

    private readonly byte[] _pkR;
    private readonly byte[]? _skR;

    // Labelled inputs (RFC 9180 §4): "HPKE-v1" ‖ suite_id ‖ label ‖ value, with I2OSP(L, 2) in front for Expand.
    private readonly byte[] _eaePrkIkm;
    private readonly byte[] _sharedSecretInfo;
    private readonly byte[] _pskIdHash = new byte[Nh];
    private readonly byte[] _infoHashIkm;
    private readonly byte[] _secretIkm;
    private readonly byte[] _keyInfo;
    private readonly byte[] _nonceInfo;

    private RawHpke(ReadOnlySpan<byte> pkR, ReadOnlySpan<byte> skR, ReadOnlySpan<byte> info)
    {
        LibSodium.EnsureInitialized();
        _pkR = pkR.ToArray();
        _skR = skR.IsEmpty ? null : skR.ToArray();
        ReadOnlySpan<byte> kemSuite = [(byte)'K', (byte)'E', (byte)'M', 0x00, 0x20];
        ReadOnlySpan<byte> hpkeSuite = [(byte)'H', (byte)'P', (byte)'K', (byte)'E', 0x00, 0x20, 0x00, 0x01, 0x00, 0x03];
        _eaePrkIkm = Labelled(null, kemSuite, "eae_prk"u8, new byte[Nh]);
        _sharedSecretInfo = Labelled(Nh, kemSuite, "shared_secret"u8, [.. new byte[Nenc], .. pkR]);
        Extract(default, Labelled(null, hpkeSuite, "psk_id_hash"u8, []), _pskIdHash);
        _infoHashIkm = Labelled(null, hpkeSuite, "info_hash"u8, info);
        _secretIkm = Labelled(null, hpkeSuite, "secret"u8, []);
        _keyInfo = Labelled(Nk, hpkeSuite, "key"u8, new byte[ContextSize]);
        _nonceInfo = Labelled(Nn, hpkeSuite, "base_nonce"u8, new byte[ContextSize]);
    }

    /// <summary>A sender to <paramref name="pkR"/> with this <paramref name="info"/>.</summary>
    public static RawHpke ForSender(ReadOnlySpan<byte> pkR, ReadOnlySpan<byte> info) => new(pkR, default, info);

    /// <summary>A recipient holding the clamped scalar <paramref name="skR"/> whose public key is <paramref name="pkR"/>.</summary>
    public static RawHpke ForRecipient(ReadOnlySpan<byte> skR, ReadOnlySpan<byte> pkR, ReadOnlySpan<byte> info) => new(pkR, skR, info);

    /// <summary>SealBase: writes <c>enc ‖ ct</c> (plaintext + 48 bytes) into <paramref name="ciphertext"/>.</summary>
    public void Seal(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Span<byte> skE = stackalloc byte[32];
        Span<byte> key = stackalloc byte[Nk];
        Span<byte> nonce = stackalloc byte[Nn];
        RandomNumberGenerator.Fill(skE);
        int rc;
        fixed (byte* enc = ciphertext)
        fixed (byte* sk = skE)
        fixed (byte* pk = _pkR)
        fixed (byte* dh = &_eaePrkIkm[_eaePrkIkm.Length - Nh])
        {
            rc = LibSodium.crypto_scalarmult_curve25519_base(enc, sk)
                | LibSodium.crypto_scalarmult_curve25519(dh, sk, pk);
        }

        Require(rc == 0, "X25519");
        KeySchedule(ciphertext[..Nenc], key, nonce);
        var ct = ciphertext[Nenc..];
        fixed (byte* c = ct)
        fixed (byte* m = plaintext)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            rc = LibSodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, c + plaintext.Length, null, m, (ulong)plaintext.Length, null, 0, null, n, k);
        }

        Require(rc == 0, "ChaCha20-Poly1305 encryption");
    }

    /// <summary>OpenBase of <c>enc ‖ ct</c> into <paramref name="plaintext"/> (ciphertext − 48 bytes); false when it does not open.</summary>
    public bool TryOpen(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        var skR = _skR ?? throw new InvalidOperationException("a sender cannot open");
        Span<byte> key = stackalloc byte[Nk];
        Span<byte> nonce = stackalloc byte[Nn];
        int rc;
        fixed (byte* enc = ciphertext)
        fixed (byte* sk = skR)
        fixed (byte* dh = &_eaePrkIkm[_eaePrkIkm.Length - Nh])
        {
            rc = LibSodium.crypto_scalarmult_curve25519(dh, sk, enc);
        }

        if (rc != 0)
        {
            return false;
        }

        KeySchedule(ciphertext[..Nenc], key, nonce);
        var ct = ciphertext[Nenc..];
        fixed (byte* m = plaintext)
        fixed (byte* c = ct)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            rc = LibSodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(m, null, c, (ulong)plaintext.Length, c + plaintext.Length, null, 0, n, k);
        }

        return rc == 0;
    }

    /// <summary>
    /// Throws unless this baseline and the library agree byte for byte: the library opens what the baseline
    /// seals and the baseline opens what the library seals, to the same plaintext.
    /// </summary>
    public static void CheckAgainst(Hpke.HpkeSuite suite, Hpke.HpkePrivateKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> plaintext)
    {
        var skR = recipient.Export();
        var pkR = recipient.PublicKey.Bytes;
        Require(PublicKeyOf(skR).AsSpan().SequenceEqual(pkR), "the recipient's public key");
        var sender = ForSender(pkR, info);
        var opener = ForRecipient(skR, pkR, info);
        var ours = new byte[plaintext.Length + Nenc + Nt];
        sender.Seal(plaintext, ours);
        var opened = new byte[plaintext.Length];
        Require(suite.TryOpen(recipient, info, [], ours, opened) && opened.AsSpan().SequenceEqual(plaintext), "the library opening the baseline's ciphertext");
        var theirs = suite.Seal(recipient.PublicKey, info, [], plaintext);
        Array.Clear(opened);
        Require(opener.TryOpen(theirs, opened) && opened.AsSpan().SequenceEqual(plaintext), "the baseline opening the library's ciphertext");
    }

    /// <summary>X25519(k, 9) through libsodium.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> scalar)
    {
        LibSodium.EnsureInitialized();
        var pk = new byte[32];
        fixed (byte* q = pk)
        fixed (byte* n = scalar)
        {
            Require(LibSodium.crypto_scalarmult_curve25519_base(q, n) == 0, "X25519 base point multiplication");
        }

        return pk;
    }

    private void KeySchedule(ReadOnlySpan<byte> enc, Span<byte> key, Span<byte> nonce)
    {
        Span<byte> eaePrk = stackalloc byte[Nh];
        Span<byte> sharedSecret = stackalloc byte[Nh];
        Span<byte> secret = stackalloc byte[Nh];

        // RFC 9180 §4.1 ExtractAndExpand(dh, kem_context = enc ‖ pkR).
        Extract(default, _eaePrkIkm, eaePrk);
        enc.CopyTo(_sharedSecretInfo.AsSpan(_sharedSecretInfo.Length - Nenc - _pkR.Length));
        Expand(eaePrk, _sharedSecretInfo, sharedSecret);

        // RFC 9180 §5.1 KeySchedule (mode_base): the context goes straight into the slots of the two Expand inputs.
        var context = _keyInfo.AsSpan(_keyInfo.Length - ContextSize);
        context[0] = 0x00;
        _pskIdHash.CopyTo(context[1..]);
        Extract(default, _infoHashIkm, context.Slice(1 + Nh, Nh));
        context.CopyTo(_nonceInfo.AsSpan(_nonceInfo.Length - ContextSize));
        Extract(sharedSecret, _secretIkm, secret);
        Expand(secret, _keyInfo, key);
        Expand(secret, _nonceInfo, nonce);
    }

    // RFC 5869 HKDF-SHA256 Extract and Expand, libsodium.
    private static void Extract(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        fixed (byte* p = prk)
        fixed (byte* s = salt)
        fixed (byte* k = ikm)
        {
            Require(LibSodium.crypto_kdf_hkdf_sha256_extract(p, s, (nuint)salt.Length, k, (nuint)ikm.Length) == 0, "HKDF-Extract");
        }
    }

    private static void Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        fixed (byte* o = output)
        fixed (byte* i = info)
        fixed (byte* p = prk)
        {
            Require(LibSodium.crypto_kdf_hkdf_sha256_expand(o, (nuint)output.Length, i, (nuint)info.Length, p) == 0, "HKDF-Expand");
        }
    }

    private static byte[] Labelled(int? length, ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> label, ReadOnlySpan<byte> value)
    {
        var prefix = length is null ? 0 : 2;
        var buffer = new byte[prefix + 7 + suiteId.Length + label.Length + value.Length];
        if (length is { } l)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)l);
        }

        var rest = buffer.AsSpan(prefix);
        "HPKE-v1"u8.CopyTo(rest);
        suiteId.CopyTo(rest[7..]);
        label.CopyTo(rest[(7 + suiteId.Length)..]);
        value.CopyTo(rest[(7 + suiteId.Length + label.Length)..]);
        return buffer;
    }

    private static void Require(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"baseline check failed: {what}");
        }
    }
}
