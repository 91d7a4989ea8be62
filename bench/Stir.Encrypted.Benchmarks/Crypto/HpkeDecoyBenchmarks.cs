using BenchmarkDotNet.Attributes;
using Stir.Encrypted.Benchmarks.Primitives;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Benchmarks.Crypto;

/// <summary>
/// <c>HpkeSuite.TryOpen</c> of a decoy (a blob that is not for the key: a real X25519 <c>enc</c> and
/// pseudorandom bytes, as the CPS makes them) against the same primitives failing at the tag check. Most
/// blobs a callee trial-opens are decoys or other holders' blobs, so this is the common case.
/// </summary>
[MemoryDiagnoser]
public class HpkeDecoyBenchmarks
{
    private HpkePrivateKey _recipient = null!;
    private RawHpke _primitives = null!;
    private byte[] _info = null!;
    private byte[] _decoy = null!;
    private byte[] _plaintext = null!;

    [Params(Samples.SmallBlobSize, Samples.DefaultBlobSize)]
    public int BlobSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _recipient = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        _info = Samples.Index().HpkeInfo();
        RawHpke.CheckAgainst(Samples.Suite, _recipient, _info, new byte[BlobSize - Samples.HpkeOverhead]);
        _decoy = Samples.Decoy(BlobSize);
        _plaintext = new byte[BlobSize - Samples.HpkeOverhead];
        _primitives = RawHpke.ForRecipient(_recipient.Export(), _recipient.PublicKey.Bytes, _info);
        Samples.Require(!Primitives() && !TryOpen(), "the decoy does not open");
    }

    [GlobalCleanup]
    public void Cleanup() => _recipient.Dispose();

    [Benchmark(Baseline = true)]
    public bool Primitives() => _primitives.TryOpen(_decoy, _plaintext);

    [Benchmark]
    public bool TryOpen() => Samples.Suite.TryOpen(_recipient, _info, [], _decoy, _plaintext);
}
