using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// DHKEM(Group, KDF) of RFC 9180 §4.1: Encap/Decap and AuthEncap/AuthDecap over a Diffie-Hellman group,
/// with the group-specific key handling of §7.1 in the subclasses.
/// </summary>
internal abstract class Dhkem
{
    private readonly byte[] _suiteId;

    protected Dhkem(HpkeKem id, string name, Kdf kdf, int nsecret, int nenc, int nsk, int ndh)
    {
        Id = id;
        Name = name;
        Kdf = kdf;
        Nsecret = nsecret;
        Nenc = nenc;
        Nsk = nsk;
        Ndh = ndh;

        // RFC 9180 §4.1: suite_id = concat("KEM", I2OSP(kem_id, 2))
        _suiteId = new byte[5];
        "KEM"u8.CopyTo(_suiteId);
        BinaryPrimitives.WriteUInt16BigEndian(_suiteId.AsSpan(3), (ushort)id);
    }

    public static Dhkem X25519HkdfSha256 { get; } = new X25519Dhkem();

    public static Dhkem P256HkdfSha256 { get; } = new EcDhkem(HpkeKem.P256HkdfSha256, EcCurve.P256, Kdf.HkdfSha256);

    public static Dhkem P521HkdfSha512 { get; } = new EcDhkem(HpkeKem.P521HkdfSha512, EcCurve.P521, Kdf.HkdfSha512);

    public HpkeKem Id { get; }

    /// <summary>The RFC's name, e.g. <c>DHKEM(X25519, HKDF-SHA256)</c>.</summary>
    public string Name { get; }

    /// <summary>The KEM's own KDF (not necessarily the suite's; RFC 9180 §4.1).</summary>
    public Kdf Kdf { get; }

    public int Nsecret { get; }

    public int Nenc { get; }

    /// <summary>Npk equals Nenc for every DHKEM.</summary>
    public int Npk => Nenc;

    public int Nsk { get; }

    public int Ndh { get; }

    /// <summary>The group's name in messages, e.g. <c>X25519</c> or <c>P-256</c>.</summary>
    public abstract string GroupName { get; }

    protected ReadOnlySpan<byte> SuiteId => _suiteId;

    public static Dhkem For(HpkeKem id) => id switch
    {
        HpkeKem.X25519HkdfSha256 => X25519HkdfSha256,
        HpkeKem.P256HkdfSha256 => P256HkdfSha256,
        HpkeKem.P521HkdfSha512 => P521HkdfSha512,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "not an HPKE KEM this library implements"),
    };

    /// <summary>GenerateKeyPair() (RFC 9180 §4).</summary>
    public abstract DhPrivateKey GenerateKeyPair();

    /// <summary>
    /// The <c>sk</c> that DeriveKeyPair(ikm) (RFC 9180 §7.1.3) produces, as the RFC's pseudocode returns it
    /// (for X25519, before the clamping that DeserializePrivateKey applies).
    /// </summary>
    public abstract void DeriveSecretKey(ReadOnlySpan<byte> ikm, Span<byte> sk);

    /// <summary>DeriveKeyPair(ikm) (RFC 9180 §7.1.3).</summary>
    public DhPrivateKey DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        Span<byte> sk = stackalloc byte[Nsk];
        try
        {
            DeriveSecretKey(ikm, sk);
            return CreatePrivateKey(sk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sk);
        }
    }

    /// <summary>DeserializePrivateKey (RFC 9180 §7.1.2); null when the value is not a private key, with why.</summary>
    public abstract string? CheckPrivateKey(ReadOnlySpan<byte> skm);

    /// <summary>DeserializePrivateKey for a value that <see cref="CheckPrivateKey"/> accepted.</summary>
    public abstract DhPrivateKey CreatePrivateKey(ReadOnlySpan<byte> skm);

    /// <summary>DeserializePublicKey with the validation of RFC 9180 §7.1.4; null when valid, or what is wrong.</summary>
    public abstract string? CheckPublicKey(ReadOnlySpan<byte> pkm);

    // RFC 9180 §4.1 Encap(pkR) and, with skS, AuthEncap(pkR, skS). skE is the ephemeral key pair; null
    // means a fresh random one (the known-answer tests pass the one DeriveKeyPair(ikmE) gives).
    public void Encap(ReadOnlySpan<byte> pkRm, DhPrivateKey? skS, DhPrivateKey? skE, Span<byte> enc, Span<byte> sharedSecret)
    {
        CheckLengths(enc, sharedSecret);
        Span<byte> dh = stackalloc byte[2 * Ndh];
        try
        {
            if (skE is null)
            {
                // dh = DH(skE, pkR), enc = SerializePublicKey(pkE) with a fresh ephemeral pair
                EphemeralAgree(pkRm, enc, dh[..Ndh]);
            }
            else
            {
                skE.PublicKey.CopyTo(enc);
                RequireAgreement(skE.TryAgree(pkRm, dh[..Ndh]));
            }

            if (skS is not null)
            {
                // AuthEncap: dh = concat(DH(skE, pkR), DH(skS, pkR))
                RequireAgreement(skS.TryAgree(pkRm, dh[Ndh..]));
            }

            ExtractAndExpand(dh[..(skS is null ? Ndh : 2 * Ndh)], enc, pkRm, skS is null ? default : skS.PublicKey, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    // RFC 9180 §4.1 Decap(enc, skR) and, with pkSm, AuthDecap(enc, skR, pkS). False when enc or pkS is not
    // a valid public key or an agreement is refused (§7.1.4): the caller reports "does not open".
    public bool TryDecap(ReadOnlySpan<byte> enc, DhPrivateKey skR, ReadOnlySpan<byte> pkSm, bool authenticated, Span<byte> sharedSecret)
    {
        if (enc.Length != Nenc)
        {
            return false;
        }

        CheckLengths(enc, sharedSecret);
        Span<byte> dh = stackalloc byte[2 * Ndh];
        try
        {
            // pkE = DeserializePublicKey(enc) and its validation happen inside the agreement.
            if (!skR.TryAgree(enc, dh[..Ndh]))
            {
                return false;
            }

            if (authenticated && !skR.TryAgree(pkSm, dh[Ndh..]))
            {
                return false;
            }

            ExtractAndExpand(dh[..(authenticated ? 2 * Ndh : Ndh)], enc, skR.PublicKey, authenticated ? pkSm : default, sharedSecret);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>Generates an ephemeral pair, writes SerializePublicKey(pkE) to enc and DH(skE, pkR) to dh.</summary>
    protected abstract void EphemeralAgree(ReadOnlySpan<byte> pkRm, Span<byte> enc, Span<byte> dh);

    protected void LabeledExtract(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm, Span<byte> prk) =>
        Kdf.LabeledExtract(SuiteId, salt, label, ikm, prk);

    protected void LabeledExpand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, Span<byte> output) =>
        Kdf.LabeledExpand(SuiteId, prk, label, info, output);

    // The recipient's public key was validated when it was imported, so an agreement with it cannot be
    // refused; if one is, the invariant is broken and nothing may be sent.
    private static void RequireAgreement(bool agreed)
    {
        if (!agreed)
        {
            throw new CryptographicException("DH agreement with a validated public key failed");
        }
    }

    private void CheckLengths(ReadOnlySpan<byte> enc, ReadOnlySpan<byte> sharedSecret)
    {
        if (enc.Length != Nenc)
        {
            throw new ArgumentException($"{Name} enc is Nenc = {Nenc} bytes", nameof(enc));
        }

        if (sharedSecret.Length != Nsecret)
        {
            throw new ArgumentException($"{Name} shared secrets are Nsecret = {Nsecret} bytes", nameof(sharedSecret));
        }
    }

    // RFC 9180 §4.1 ExtractAndExpand(dh, kem_context), kem_context = concat(enc, pkRm[, pkSm])
    private void ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> pkRm, ReadOnlySpan<byte> pkSm, Span<byte> sharedSecret)
    {
        Span<byte> kemContext = stackalloc byte[enc.Length + pkRm.Length + pkSm.Length];
        enc.CopyTo(kemContext);
        pkRm.CopyTo(kemContext[enc.Length..]);
        pkSm.CopyTo(kemContext[(enc.Length + pkRm.Length)..]);

        Span<byte> eaePrk = stackalloc byte[Kdf.Nh];
        try
        {
            LabeledExtract(default, "eae_prk"u8, dh, eaePrk);
            LabeledExpand(eaePrk, "shared_secret"u8, kemContext, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(eaePrk);
        }
    }
}
