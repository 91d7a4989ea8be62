using System.Text;
using System.Text.Json.Nodes;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.Tests.Support;
using static Stir.Encrypted.Tests.Support.LoopbackHttpServer;

namespace Stir.Encrypted.Tests.Cli;

/// <summary>
/// `--known-cps FILE` of `stir doctor` and `stir verify` against a CPS on loopback whose configuration changes
/// (spec/protocol.md §7 "Change report"): the change is a warning line (and JSON), once; a configuration weaker than the
/// floors is a failed check.
/// </summary>
public sealed class KnownCpsCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stir-known-cps-cli-").FullName;
    private readonly LoopbackHttpServer _cps = new();
    private JsonObject _served = Sample(14).ToJson();

    private string Known => Path.Combine(_dir, "known-cps.json");

    public Task InitializeAsync()
    {
        _cps.Map("/health/ready", new Reply(200, "text/plain", "ok"u8.ToArray()));
        _cps.Map("/v1/config", () => new Reply(200, "application/json", Encoding.UTF8.GetBytes(_served.ToJsonString())));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _cps.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Doctor_ReportsTheChangeOnce_AsAWarning_AndAWeakConfigurationAsAFailure()
    {
        var first = await Doctor();
        _served = Sample(16).ToJson();
        var changed = await Doctor();
        var again = await Doctor();
        _served["retention"]!["maxSeconds"] = 3600;
        var weak = await Doctor();

        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.Contains("OK   config     epoch 3600 s, 14-bit buckets", first.Stdout, StringComparison.Ordinal);
        Assert.True(changed.ExitCode == 0, changed.Stdout + changed.Stderr);
        Assert.Contains("WARN config", changed.Stdout, StringComparison.Ordinal);
        Assert.Contains(": index.bucketBits 14 → 16", changed.Stdout, StringComparison.Ordinal);
        Assert.Contains("OK   config", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, weak.ExitCode);
        Assert.Contains("FAIL config", weak.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"retention.maxSeconds\" is 3600; this client accepts at most 120 (spec §7 floors)", weak.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PrintsTheChangedSaltAsAWarningLine_AndInJson()
    {
        using var pki = DevelopmentPki.Create();
        var anchors = Path.Combine(_dir, "root.pem");
        await File.WriteAllTextAsync(anchors, pki.Root.Certificate.ExportCertificatePem() + "\n");
        using var key = HpkePrivateKey.Generate(HpkeKem.X25519HkdfSha256);
        var keyFile = Path.Combine(_dir, "bob.key");
        await File.WriteAllBytesAsync(keyFile, key.Export());
        string[] Args(params string[] more) => ["verify", "--orig", "+12025550123", "--dest", "+13035550100", "--keys", keyFile, "--trust", anchors, "--cps", _cps.BaseUrl + "/", "--known-cps", Known, .. more];

        var first = await CliRunner.RunAsync(Args());
        _served = Sample(14, salt: 9).ToJson();
        var text = await CliRunner.RunAsync(Args());
        _served = Sample(14, salt: 10).ToJson();
        var json = await CliRunner.RunAsync(Args("--output", "json"));

        Assert.DoesNotContain("warning:", first.Stdout, StringComparison.Ordinal);
        Assert.StartsWith($"warning: the configuration of the CPS {new Uri(_cps.BaseUrl).Authority} changed since ", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("the SALT changed", text.Stdout.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("verstat: No-TN-Validation", text.Stdout, StringComparison.Ordinal); // the test CPS holds no bucket
        var change = json.Json().GetProperty("configurationChange");
        Assert.True(change.GetProperty("saltChanged").GetBoolean());
        Assert.StartsWith("index.salt ", change.GetProperty("differences")[0].GetString(), StringComparison.Ordinal);
    }

    private Task<CliResult> Doctor() => CliRunner.RunAsync("doctor", "--cps", _cps.BaseUrl + "/", "--known-cps", Known);

    private static CpsConfiguration Sample(int bucketBits, byte salt = 1) => new(
        new IndexParameters(Enumerable.Repeat(salt, 32).ToArray(), IndexParameters.DefaultMemoryKiB, IndexParameters.DefaultIterations, bucketBits, 3600),
        [new SizeClass(2048, 16)],
        RetentionPolicy.Default,
        storeAuthenticationRequired: false,
        maxBlobsPerStore: 8,
        clockSkewSeconds: 5);
}
