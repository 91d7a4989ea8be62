using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Stir.Encrypted.Cps;

namespace Stir.Encrypted.Benchmarks.Crypto;

/// <summary>
/// <see cref="BlobIndex.Derive"/> at the default cost (Argon2id m = 19 MiB, t = 2, p = 1; spec/protocol.md §5)
/// against one SHA-256 over the same inputs (salt label, salt, epoch, dest label, dest, tag label, orig, dest,
/// epoch). The ratio is the work factor the index imposes on anyone who tries numbers: it is meant to be large.
/// </summary>
[MemoryDiagnoser]
public class IndexDeriveBenchmarks
{
    private readonly byte[] _hash = new byte[32];
    private byte[] _inputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        var p = Samples.IndexParameters;
        var epoch = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(epoch, Samples.Epoch);
        var orig = Encoding.ASCII.GetBytes(Samples.Orig.Value);
        var dest = Encoding.ASCII.GetBytes(Samples.Dest.Value);
        _inputs =
        [
            .. "stir-oob/v1/salt\0"u8, .. p.Salt, .. epoch,
            .. "stir-oob/v1/dest\0"u8, .. dest,
            .. "stir-oob/v1/tag\0"u8, (byte)orig.Length, .. orig, (byte)dest.Length, .. dest, .. epoch,
        ];
    }

    [Benchmark(Baseline = true)]
    public int Sha256() => SHA256.HashData(_inputs, _hash);

    [Benchmark]
    public BlobIndex Derive() => BlobIndex.Derive(Samples.IndexParameters, Samples.Orig, Samples.Dest, Samples.Epoch);
}
