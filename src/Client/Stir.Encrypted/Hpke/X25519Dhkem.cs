using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>DHKEM(X25519, HKDF-SHA256), kem_id 0x0020 (RFC 9180 §7.1: Nsecret = Nenc = Npk = Nsk = 32).</summary>
internal sealed class X25519Dhkem : Dhkem
{
    public X25519Dhkem()
        : base(HpkeKem.X25519HkdfSha256, "DHKEM(X25519, HKDF-SHA256)", Kdf.HkdfSha256, nsecret: 32, nenc: 32, nsk: 32, ndh: 32)
    {
    }

    public override string GroupName => "X25519";

    public override DhPrivateKey GenerateKeyPair()
    {
        Span<byte> sk = stackalloc byte[X25519.ScalarSize];
        RandomNumberGenerator.Fill(sk);
        try
        {
            return X25519PrivateKey.Create(sk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sk);
        }
    }

    // RFC 9180 §7.1.3 DeriveKeyPair(ikm) for X25519:
    //   dkp_prk = LabeledExtract("", "dkp_prk", ikm); sk = LabeledExpand(dkp_prk, "sk", "", Nsk)
    public override void DeriveSecretKey(ReadOnlySpan<byte> ikm, Span<byte> sk)
    {
        Span<byte> dkpPrk = stackalloc byte[Kdf.Nh];
        try
        {
            LabeledExtract(default, "dkp_prk"u8, ikm, dkpPrk);
            LabeledExpand(dkpPrk, "sk"u8, default, sk[..Nsk]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dkpPrk);
        }
    }

    // RFC 9180 §7.1.2: any 32 bytes, clamped, are an X25519 private key (a clamped scalar is never 0 mod
    // the order), so the only way to be malformed is the length.
    public override string? CheckPrivateKey(ReadOnlySpan<byte> skm) =>
        skm.Length == Nsk ? null : $"expected {Nsk} bytes, got {skm.Length}";

    public override DhPrivateKey CreatePrivateKey(ReadOnlySpan<byte> skm) => X25519PrivateKey.Create(skm);

    // RFC 9180 §7.1.1: DeserializePublicKey is the identity. §7.1.4 with RFC 7748 §6.1: a small-order point
    // would make every agreement all zeros, which the recipient must refuse, so it is refused on import.
    public override string? CheckPublicKey(ReadOnlySpan<byte> pkm)
    {
        if (pkm.Length != Npk)
        {
            return $"expected {Npk} bytes, got {pkm.Length}";
        }

        return X25519.IsSmallOrder(pkm)
            ? "a small-order point (order 1, 2, 4 or 8): every agreement with it gives the all-zero output (RFC 7748 §6.1, RFC 9180 §7.1.4)"
            : null;
    }

    protected override void EphemeralAgree(ReadOnlySpan<byte> pkRm, Span<byte> enc, Span<byte> dh)
    {
        Span<byte> skE = stackalloc byte[X25519.ScalarSize];
        try
        {
            RandomNumberGenerator.Fill(skE);
            X25519.Clamp(skE);
            X25519.PublicKeyOf(skE, enc);
            if (!X25519.TryAgree(skE, pkRm, dh))
            {
                throw new CryptographicException("X25519 agreement with a validated public key gave the all-zero output");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(skE);
        }
    }
}
