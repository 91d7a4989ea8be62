using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Stir.Encrypted.Cps;

namespace Stir.Encrypted.Benchmarks.Crypto;

/// <summary>
/// The per-call index work once K_dest_e is cached (<see cref="DestinationKeyCache.Derive"/> on a warm cache:
/// lookup, then the tag HMAC of spec/protocol.md §5) against one bare HMAC-SHA256 of the same key and message.
/// </summary>
[MemoryDiagnoser]
public class IndexCacheBenchmarks
{
    private readonly byte[] _tag = new byte[BlobIndex.TagSize];
    private DestinationKeyCache _cache = null!;
    private ulong _epoch;
    private byte[] _destinationKey = null!;
    private byte[] _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cache = new DestinationKeyCache(Samples.IndexParameters);
        _epoch = Samples.Epoch;

        _cache.Prepare(Samples.Dest, _epoch);
        _destinationKey = BlobIndex.DeriveDestinationKey(Samples.IndexParameters, Samples.Dest, _epoch);
        var epoch = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(epoch, _epoch);
        var orig = Encoding.ASCII.GetBytes(Samples.Orig.Value);
        var dest = Encoding.ASCII.GetBytes(Samples.Dest.Value);
        _message = [.. "stir-oob/v1/tag\0"u8, (byte)orig.Length, .. orig, (byte)dest.Length, .. dest, .. epoch];
        HmacSha256();
        Samples.Require(CachedDerive().Tag.SequenceEqual(_tag), "the baseline computes the library's tag");
    }

    [Benchmark(Baseline = true)]
    public int HmacSha256() => HMACSHA256.HashData(_destinationKey, _message, _tag);

    [Benchmark]
    public BlobIndex CachedDerive() => _cache.Derive(Samples.Orig, Samples.Dest, _epoch);
}
