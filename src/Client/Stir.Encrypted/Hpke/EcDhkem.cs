using System.Security.Cryptography;

namespace Stir.Encrypted.Hpke;

/// <summary>
/// DHKEM(P-256, HKDF-SHA256), kem_id 0x0010, and DHKEM(P-521, HKDF-SHA512), kem_id 0x0012
/// (RFC 9180 §7.1: Nenc = Npk = 65 / 133, Nsk = Ndh = 32 / 66, Nsecret = 32 / 64).
/// </summary>
internal sealed class EcDhkem : Dhkem
{
    private readonly EcCurve _curve;

    public EcDhkem(HpkeKem id, EcCurve curve, Kdf kdf)
        : base(id, $"DHKEM({curve.Name}, HKDF-SHA{kdf.Nh * 8})", kdf, nsecret: kdf.Nh, nenc: curve.PointSize, nsk: curve.FieldSize, ndh: curve.FieldSize)
    {
        _curve = curve;
    }

    public override string GroupName => _curve.Name;

    public override DhPrivateKey GenerateKeyPair()
    {
        // The platform's generator draws d uniformly from [1, n − 1]; going through D keeps one code path
        // for generated, derived and imported keys.
        using var generated = EcPrivateKey.Generate(_curve);
        var d = generated.ExportParameters(includePrivateParameters: true).D!;
        Span<byte> sk = stackalloc byte[Nsk];
        try
        {
            d.CopyTo(sk[(Nsk - d.Length)..]);
            return EcPrivateKey.Create(_curve, sk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
            CryptographicOperations.ZeroMemory(sk);
        }
    }

    public override void DeriveSecretKey(ReadOnlySpan<byte> ikm, Span<byte> sk) => DeriveSecretKey(ikm, sk, _curve.Order);

    // RFC 9180 §7.1.3 DeriveKeyPair(ikm) for P-256/P-384/P-521, rejection sampling:
    //   dkp_prk = LabeledExtract("", "dkp_prk", ikm)
    //   while sk == 0 or sk >= order: (counter > 255 → DeriveKeyPairError)
    //     bytes = LabeledExpand(dkp_prk, "candidate", I2OSP(counter, 1), Nsk); bytes[0] &= bitmask
    // The order is a parameter so that tests can make rejection likely; for the real orders a candidate
    // is rejected with probability below 2^-32.
    internal void DeriveSecretKey(ReadOnlySpan<byte> ikm, Span<byte> sk, ReadOnlySpan<byte> order)
    {
        Span<byte> dkpPrk = stackalloc byte[Kdf.Nh];
        Span<byte> counter = stackalloc byte[1];
        try
        {
            LabeledExtract(default, "dkp_prk"u8, ikm, dkpPrk);
            for (var i = 0; i <= 255; i++)
            {
                counter[0] = (byte)i;
                LabeledExpand(dkpPrk, "candidate"u8, counter, sk[..Nsk]);
                sk[0] &= _curve.Bitmask;
                if (EcCurve.IsValidScalar(sk[..Nsk], order))
                {
                    return;
                }
            }

            CryptographicOperations.ZeroMemory(sk);
            throw new CryptographicException($"DeriveKeyPairError: no {_curve.Name} scalar in 256 candidates (RFC 9180 §7.1.3)");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dkpPrk);
        }
    }

    // RFC 9180 §7.1.2: the Octet-String-to-Field-Element conversion, and the SHOULD check that the key
    // is not 0 mod the order; a value at or above the order is not the serialisation of any key.
    public override string? CheckPrivateKey(ReadOnlySpan<byte> skm)
    {
        if (skm.Length != Nsk)
        {
            return $"expected {Nsk} bytes, got {skm.Length}";
        }

        return _curve.IsValidScalar(skm) ? null : "the scalar is 0 or not below the group order n (valid keys are in [1, n − 1])";
    }

    public override DhPrivateKey CreatePrivateKey(ReadOnlySpan<byte> skm) => EcPrivateKey.Create(_curve, skm);

    public override string? CheckPublicKey(ReadOnlySpan<byte> pkm)
    {
        var problem = _curve.CheckPublicKey(pkm);
        if (problem is not null)
        {
            return problem;
        }

        // The platform validates again on import; its verdict must agree with ours.
        try
        {
            using var imported = EcPrivateKey.ImportPublicKey(_curve, pkm);
            return null;
        }
        catch (CryptographicException)
        {
            return $"the platform refuses the point as a {_curve.Name} public key";
        }
    }

    protected override void EphemeralAgree(ReadOnlySpan<byte> pkRm, Span<byte> enc, Span<byte> dh)
    {
        using var skE = EcPrivateKey.Generate(_curve);
        EcPrivateKey.PublicKeyOf(skE).CopyTo(enc);
        if (!EcPrivateKey.TryAgree(_curve, skE, pkRm, dh))
        {
            throw new CryptographicException($"{_curve.Name} agreement with a validated public key failed");
        }
    }
}
