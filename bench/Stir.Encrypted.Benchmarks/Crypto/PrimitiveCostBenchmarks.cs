using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Stir.Encrypted.Benchmarks.Primitives;

namespace Stir.Encrypted.Benchmarks.Crypto;

/// <summary>
/// What each primitive of a call costs, in units of one X25519 agreement (the baseline): the operations the
/// `openssl speed` floor counts (X25519, ECDSA) and the ones it does not (HKDF, ChaCha20-Poly1305 of a default-class
/// blob). A flow's distance from its floor is the sum of the second kind, so this table explains that distance.
/// HKDF appears twice: through the BCL (as the library calls it) and through libsodium.
/// </summary>
[MemoryDiagnoser]
public unsafe class PrimitiveCostBenchmarks
{
    private const int PlaintextSize = Samples.DefaultBlobSize - 48;
    private readonly byte[] _scalar = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _point = new byte[32];
    private readonly byte[] _out = new byte[32];
    private readonly byte[] _ikm = RandomNumberGenerator.GetBytes(32 + 24);
    private readonly byte[] _info = RandomNumberGenerator.GetBytes(2 + 7 + 10 + 10 + 65);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _plaintext = RandomNumberGenerator.GetBytes(PlaintextSize);
    private readonly byte[] _ciphertext = new byte[PlaintextSize + 16];
    private readonly byte[] _signingInput = RandomNumberGenerator.GetBytes(400);
    private ECDsa _ecdsa = null!;
    private byte[] _signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        LibSodium.EnsureInitialized();
        RawHpke.PublicKeyOf(RandomNumberGenerator.GetBytes(32)).CopyTo(_point, 0);
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _signature = EcdsaSign();
        Samples.Require(X25519Agree() == 0 && EcdsaVerify() && ChaChaOpenForged() != 0, "the primitives work");
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, _ikm, _key, a);
        fixed (byte* prk = b)
        fixed (byte* salt = _key)
        fixed (byte* ikm = _ikm)
        {
            _ = LibSodium.crypto_kdf_hkdf_sha256_extract(prk, salt, 32, ikm, (nuint)_ikm.Length);
        }

        Samples.Require(a.SequenceEqual(b), "libsodium's HKDF-Extract computes the BCL's");
    }

    [GlobalCleanup]
    public void Cleanup() => _ecdsa.Dispose();

    [Benchmark(Baseline = true)]
    public int X25519Agree()
    {
        fixed (byte* q = _out)
        fixed (byte* n = _scalar)
        fixed (byte* p = _point)
        {
            return LibSodium.crypto_scalarmult_curve25519(q, n, p);
        }
    }

    [Benchmark]
    public int X25519KeyPair()
    {
        Span<byte> sk = stackalloc byte[32];
        RandomNumberGenerator.Fill(sk);
        fixed (byte* q = _out)
        fixed (byte* n = sk)
        {
            return LibSodium.crypto_scalarmult_curve25519_base(q, n);
        }
    }

    [Benchmark]
    public int HkdfExtractBcl() => HKDF.Extract(HashAlgorithmName.SHA256, _ikm, _key, _out);

    [Benchmark]
    public void HkdfExpandBcl() => HKDF.Expand(HashAlgorithmName.SHA256, _key, _out, _info);

    [Benchmark]
    public int HmacSha256Bcl() => HMACSHA256.HashData(_key, _ikm, _out);

    [Benchmark]
    public int HkdfExtractSodium()
    {
        fixed (byte* prk = _out)
        fixed (byte* salt = _key)
        fixed (byte* ikm = _ikm)
        {
            return LibSodium.crypto_kdf_hkdf_sha256_extract(prk, salt, 32, ikm, (nuint)_ikm.Length);
        }
    }

    [Benchmark]
    public int HkdfExpandSodium()
    {
        fixed (byte* o = _out)
        fixed (byte* ctx = _info)
        fixed (byte* prk = _key)
        {
            return LibSodium.crypto_kdf_hkdf_sha256_expand(o, 32, ctx, (nuint)_info.Length, prk);
        }
    }

    [Benchmark]
    public int ChaChaSeal4096()
    {
        fixed (byte* c = _ciphertext)
        fixed (byte* m = _plaintext)
        fixed (byte* n = _nonce)
        fixed (byte* k = _key)
        {
            return LibSodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, c + PlaintextSize, null, m, PlaintextSize, null, 0, null, n, k);
        }
    }

    [Benchmark]
    public int ChaChaOpenForged()
    {
        fixed (byte* c = _ciphertext)
        fixed (byte* m = _plaintext)
        fixed (byte* n = _nonce)
        fixed (byte* k = _key)
        {
            return LibSodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(m, null, c, PlaintextSize, c + PlaintextSize, null, 0, n, k);
        }
    }

    [Benchmark]
    public byte[] EcdsaSign() => _ecdsa.SignData(_signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public bool EcdsaVerify() => _ecdsa.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
}
