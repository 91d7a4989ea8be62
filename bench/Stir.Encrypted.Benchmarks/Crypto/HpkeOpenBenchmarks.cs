using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Stir.Encrypted.Benchmarks.Primitives;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Benchmarks.Crypto;

/// <summary>
/// <c>HpkeSuite.TryOpen</c> of a blob sealed to the key (span overload, what <see cref="BucketOpener"/> runs
/// per blob) against the sum of its primitives (<see cref="RawHpke.TryOpen"/>).
/// </summary>
[MemoryDiagnoser]
public class HpkeOpenBenchmarks
{
    private HpkePrivateKey _recipient = null!;
    private RawHpke _primitives = null!;
    private byte[] _info = null!;
    private byte[] _blob = null!;
    private byte[] _plaintext = null!;

    [Params(Samples.SmallBlobSize, Samples.DefaultBlobSize)]
    public int BlobSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _recipient = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        _info = Samples.Index().HpkeInfo();
        var message = RandomNumberGenerator.GetBytes(BlobSize - Samples.HpkeOverhead);
        RawHpke.CheckAgainst(Samples.Suite, _recipient, _info, message);
        _blob = Samples.Suite.Seal(_recipient.PublicKey, _info, [], message);
        _plaintext = new byte[message.Length];
        _primitives = RawHpke.ForRecipient(_recipient.Export(), _recipient.PublicKey.Bytes, _info);
        Samples.Require(Primitives() && TryOpen(), "the blob opens");
    }

    [GlobalCleanup]
    public void Cleanup() => _recipient.Dispose();

    [Benchmark(Baseline = true)]
    public bool Primitives() => _primitives.TryOpen(_blob, _plaintext);

    [Benchmark]
    public bool TryOpen() => Samples.Suite.TryOpen(_recipient, _info, [], _blob, _plaintext);
}
