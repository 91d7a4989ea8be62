using BenchmarkDotNet.Attributes;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Benchmarks.Crypto;

/// <summary>
/// Trial-opening a bucket of N blobs of the default class with <see cref="BucketOpener.Open(BlobIndex, IReadOnlyList{ReadOnlyMemory{byte}}, HpkePrivateKey)"/>, reported per
/// blob (OperationsPerInvoke = N), against one <c>HpkeSuite.TryOpen</c> of a single-recipient HPKE message of the
/// same size (the baseline: what a blob cost before stanzas, spec/protocol.md §4) and of a decoy. The buckets mix real blobs and decoys as a retrieval of the default class does: one real blob in
/// every 12 (blobs 0, 12, 24, ...), the rest decoys. The per-blob cost should stay flat from N = 1 to N = 1000.
/// </summary>
[MemoryDiagnoser]
public class BucketOpenBenchmarks
{
    /// <summary>One real blob in every <see cref="Samples.DefaultSlots"/>.</summary>
    public const int RealEvery = Samples.DefaultSlots;

    private readonly Dictionary<int, IReadOnlyList<ReadOnlyMemory<byte>>> _buckets = [];
    private HpkePrivateKey _key = null!;
    private BlobIndex _index = null!;
    private byte[] _info = null!;
    private byte[] _real = null!;
    private byte[] _decoy = null!;
    private byte[] _plaintext = null!;

    /// <summary>How many blobs of a bucket of <paramref name="n"/> are real.</summary>
    public static int RealBlobs(int n) => (n + RealEvery - 1) / RealEvery;

    [GlobalSetup]
    public void Setup()
    {
        _key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        _index = Samples.Index();
        _info = _index.HpkeInfo();
        var configuration = Samples.Configuration(Samples.DefaultBlobSize);
        using var signingKey = Passports.PassportSigningKey.Generate();
        var token = Samples.Passport().Sign(new Passports.PassportSigner(signingKey, Samples.Clock)).Token;
        _plaintext = new byte[Samples.DefaultBlobSize - Samples.Suite.EncapsulatedKeySize - Samples.Suite.TagSize];
        _real = Samples.Suite.Seal(_key.PublicKey, _info, [], BlobPlaintext.Encode([token], _plaintext.Length));
        _decoy = Samples.Decoy(Samples.DefaultBlobSize);
        foreach (var n in new[] { 1, 10, 100, 1000 })
        {
            // Every blob distinct, as in a real bucket: each real one sealed afresh, each decoy with its own bytes.
            _buckets[n] = [.. Enumerable.Range(0, n).Select(i => (ReadOnlyMemory<byte>)(i % RealEvery == 0
                ? BlobSealer.Seal(configuration, _index, [token], [_key.PublicKey])[0]
                : Samples.Decoy(Samples.DefaultBlobSize)))];
            var opened = BucketOpener.Open(_index, _buckets[n], _key);
            Samples.Require(opened.Count == RealBlobs(n) && opened.All(o => o.FormatError is null && o.Passports.Count == 1 && o.Passports[0] == token), $"a bucket of {n} opens its {RealBlobs(n)} real blob(s)");
        }

        Samples.Require(OpenReal() && !OpenDecoy(), "the real blob opens and the decoy does not");
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true)]
    public bool OpenReal() => Samples.Suite.TryOpen(_key, _info, [], _real, _plaintext);

    [Benchmark]
    public bool OpenDecoy() => Samples.Suite.TryOpen(_key, _info, [], _decoy, _plaintext);

    [Benchmark(OperationsPerInvoke = 1)]
    public int Bucket1() => BucketOpener.Open(_index, _buckets[1], _key).Count;

    [Benchmark(OperationsPerInvoke = 10)]
    public int Bucket10() => BucketOpener.Open(_index, _buckets[10], _key).Count;

    [Benchmark(OperationsPerInvoke = 100)]
    public int Bucket100() => BucketOpener.Open(_index, _buckets[100], _key).Count;

    [Benchmark(OperationsPerInvoke = 1000)]
    public int Bucket1000() => BucketOpener.Open(_index, _buckets[1000], _key).Count;
}
