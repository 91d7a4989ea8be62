using System.Security.Cryptography;
using System.Text.Json;
using Stir.Encrypted.Cps;
using Stir.Encrypted.CpsService.CoverTraffic;

namespace Stir.Encrypted.CpsService.Configuration;

/// <summary>
/// What the endpoints work with once the store has given the deployment's salt and cover key: the published
/// configuration document (bytes and ETag), the epoch rules and the slot engine.
/// </summary>
internal sealed class CpsRuntime
{
    public CpsRuntime(CpsConfiguration configuration, ReadOnlySpan<byte> coverKey)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Configuration = configuration;
        ConfigurationJson = JsonSerializer.SerializeToUtf8Bytes(configuration.ToJson());
        ConfigurationETag = $"\"{StrictBase64.EncodeUrl(SHA256.HashData(ConfigurationJson).AsSpan(0, 16))}\"";
        Epochs = new EpochRules(configuration.Index.EpochSeconds, configuration.Retention, configuration.ClockSkewSeconds);
        Lifetimes = new LifetimeLaw(configuration.Retention);
        CoverKey = coverKey.ToArray();
        Engine = new SlotEngine(new CoverSchedule(coverKey, Lifetimes), Lifetimes);
        MaxBodyBytes = (long)configuration.MaxBlobsPerStore * configuration.Classes.Max(c => c.Size);
    }

    public CpsConfiguration Configuration { get; }

    public byte[] ConfigurationJson { get; }

    public string ConfigurationETag { get; }

    public EpochRules Epochs { get; }

    public LifetimeLaw Lifetimes { get; }

    public SlotEngine Engine { get; }

    /// <summary>K_cover (spec §9); lives as long as the process, like the store's copy.</summary>
    public ReadOnlyMemory<byte> CoverKey { get; }

    /// <summary>The largest store body: maxBlobsPerStore blobs of the largest class.</summary>
    public long MaxBodyBytes { get; }

    public SizeClass? ClassOfSize(int size) => Configuration.Classes.FirstOrDefault(c => c.Size == size);
}
