using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Stir.Encrypted.Benchmarks.Primitives;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Benchmarks.Crypto;

/// <summary>
/// <c>HpkeSuite.Seal</c> (span overload, what <see cref="BlobSealer"/> runs per key holder) against the sum of
/// the primitives it is made of (<see cref="RawHpke.Seal"/>), for the default class and the smallest one.
/// </summary>
[MemoryDiagnoser]
public class HpkeSealBenchmarks
{
    private HpkePrivateKey _recipient = null!;
    private RawHpke _primitives = null!;
    private byte[] _info = null!;
    private byte[] _plaintext = null!;
    private byte[] _ciphertext = null!;

    [Params(Samples.SmallBlobSize, Samples.DefaultBlobSize)]
    public int BlobSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _recipient = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        _info = Samples.Index().HpkeInfo();
        _plaintext = RandomNumberGenerator.GetBytes(BlobSize - Samples.HpkeOverhead);
        _ciphertext = new byte[BlobSize];
        RawHpke.CheckAgainst(Samples.Suite, _recipient, _info, _plaintext);
        _primitives = RawHpke.ForSender(_recipient.PublicKey.Bytes, _info);
    }

    [GlobalCleanup]
    public void Cleanup() => _recipient.Dispose();

    [Benchmark(Baseline = true)]
    public void Primitives() => _primitives.Seal(_plaintext, _ciphertext);

    [Benchmark]
    public void Seal() => Samples.Suite.Seal(_recipient.PublicKey, _info, [], _plaintext, _ciphertext);
}
