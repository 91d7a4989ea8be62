using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Interop;

/// <summary>
/// TM-56: the enumeration cost the threat model quotes holds only if the index really runs Argon2id at the published
/// cost. The destination key at the default cost equals an independent Argon2id (@noble/hashes) at m = 19456 KiB,
/// t = 2, so a build that quietly used a cheaper cost, another variant or another salt would fail here.
/// </summary>
public sealed class IndexCostInteropTests
{
    private static readonly TelephoneNumber Dest = TelephoneNumber.ParseCanonical("13035550100");

    [Fact]
    [Trait("Claim", "TM-56")]
    public async Task DestinationKey_AtTheDefaultCost_EqualsAnIndependentArgon2id()
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        var parameters = new IndexParameters(salt, IndexParameters.DefaultMemoryKiB, IndexParameters.DefaultIterations, IndexParameters.DefaultBucketBits, IndexParameters.DefaultEpochSeconds);
        const ulong Epoch = 500_000;

        var key = BlobIndex.DeriveDestinationKey(parameters, Dest, Epoch);

        Assert.Equal(Convert.ToHexStringLower(key), await IndependentAsync(parameters, Epoch));
    }

    [Fact]
    [Trait("Claim", "TM-56")]
    public async Task DestinationKey_FollowsEveryCostParameter_AsTheIndependentArgon2idDoes()
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        IndexParameters[] variants =
        [
            new(salt, 64, 1, 14, 3600),
            new(salt, 72, 1, 14, 3600),
            new(salt, 64, 2, 14, 3600),
        ];

        var keys = new List<string>();
        foreach (var p in variants)
        {
            var key = Convert.ToHexStringLower(BlobIndex.DeriveDestinationKey(p, Dest, 7));
            Assert.Equal(await IndependentAsync(p, 7), key);
            keys.Add(key);
        }

        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    // spec/protocol.md §5: salt_e and the password, then Argon2id in another implementation.
    private static async Task<string> IndependentAsync(IndexParameters parameters, ulong epoch)
    {
        var e = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(e, epoch);
        var saltE = SHA256.HashData([.. "stir-oob/v1/salt\0"u8, .. parameters.Salt, .. e])[..16];
        byte[] password = [.. "stir-oob/v1/dest\0"u8, .. Encoding.ASCII.GetBytes(Dest.Value)];
        var node = Peers.RequireNode();
        var result = await Peers.RunAsync(
            node,
            ["argon2id.mjs", Convert.ToHexStringLower(password), Convert.ToHexStringLower(saltE), Str(parameters.Iterations), Str(parameters.MemoryKiB), "1", "32"],
            workingDirectory: Peers.InteropDirectory);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Trim();
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
