using System.Security.Cryptography;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Benchmarks;

/// <summary>
/// The inputs the benchmarks and the flow harness share: one call from <see cref="Orig"/> to <see cref="Dest"/>
/// at a fixed instant, the default CPS parameters (spec/protocol.md §5, §7), a realistic SHAKEN PASSporT, and
/// decoys shaped as the CPS makes them (spec/protocol.md §9).
/// </summary>
internal static class Samples
{
    /// <summary>The default size class: 4096-byte blobs, 12 per retrieval (as <c>stir demo</c> uses).</summary>
    public const int DefaultBlobSize = 4096;

    /// <summary>Blobs per retrieval in the default class.</summary>
    public const int DefaultSlots = 12;

    /// <summary>The smallest size class the CPS allows: the fixed cost of a message dominates.</summary>
    public const int SmallBlobSize = SizeClass.MinSize;

    /// <summary>Key holders per called number in the store flow.</summary>
    public const int Holders = 2;

    public static TelephoneNumber Orig { get; } = TelephoneNumber.ParseCanonical("12025550123");

    public static TelephoneNumber Dest { get; } = TelephoneNumber.ParseCanonical("13035550100");

    /// <summary>The instant of every sample call; signer and verifier share it, so PASSporTs stay fresh however long a run takes.</summary>
    public static TimeProvider Clock { get; } = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    public static HpkeSuite Suite => BlobSealer.Suite;

    /// <summary>What a single-shot HPKE message adds to its plaintext (<c>enc</c> and the AEAD tag): the HPKE benchmarks
    /// seal messages of a blob's size, without the blob's stanzas (spec/protocol.md §4).</summary>
    public const int HpkeOverhead = 32 + 16;

    /// <summary>The version-1 default index parameters with a fixed salt.</summary>
    public static IndexParameters IndexParameters { get; } = new(
        Enumerable.Range(1, IndexParameters.SaltSize).Select(i => (byte)i).ToArray(),
        IndexParameters.DefaultMemoryKiB,
        IndexParameters.DefaultIterations,
        IndexParameters.DefaultBucketBits,
        IndexParameters.DefaultEpochSeconds);

    public static ulong Epoch => IndexParameters.EpochAt(Clock.GetUtcNow());

    /// <summary>A CPS configuration with one class of <paramref name="blobSize"/> bytes.</summary>
    public static CpsConfiguration Configuration(int blobSize) =>
        new(IndexParameters, [new SizeClass(blobSize, DefaultSlots)], RetentionPolicy.Default, storeAuthenticationRequired: false, maxBlobsPerStore: 8, clockSkewSeconds: 5);

    /// <summary>
    /// The destination-key cache every sample index comes from, as callers and callees hold it: Argon2id at the
    /// default cost runs once per process, every index after that is one HMAC.
    /// </summary>
    public static DestinationKeyCache Cache { get; } = new(IndexParameters);

    /// <summary>The sample call's index (spec/protocol.md §5: one per call, the same for every key holder).</summary>
    public static BlobIndex Index() => Cache.Derive(Orig, Dest, Epoch);

    /// <summary>A SHAKEN PASSporT for the sample call, as a carrier's authentication service signs it.</summary>
    public static PassportBuilder Passport() => new PassportBuilder()
        .WithX5u("https://cert.example.org/stir/passport-signer.pem")
        .WithOrig(Orig)
        .AddDest(Dest)
        .WithShaken("A", new Guid("3a47fc7e-3c3a-4f27-9a1a-bb1f3f6c2b6e"));

    /// <summary>A decoy as the CPS serves it: <c>enc</c> a real X25519 public key, the rest pseudorandom.</summary>
    public static byte[] Decoy(int size)
    {
        var decoy = RandomNumberGenerator.GetBytes(size);
        using var cover = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        cover.PublicKey.Bytes.CopyTo(decoy);
        return decoy;
    }

    /// <summary>Throws when a benchmark's setup does not produce what the benchmark claims to measure.</summary>
    public static void Require(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"benchmark setup check failed: {what}");
        }
    }

    /// <summary>The result of a ValueTask that must have completed synchronously (static-key resolution does).</summary>
    public static T Completed<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
