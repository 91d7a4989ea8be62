using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService.Problems;

namespace Stir.Encrypted.Cps.Tests.Privacy;

/// <summary>
/// No bucket, epoch value, client address or key in any log line or metric (CONVENTIONS.md, brief §6): all log
/// output is captured at every level the code defaults let through (the default level is raised to Trace),
/// while the service stores, retrieves, rejects and fails.
/// </summary>
public sealed partial class LogAndMetricHygieneTests
{
    private const string ClientV4 = "203.0.113.77";
    private const string ClientV6 = "2001:db8:77::1234";
    private static readonly ulong Epoch = CpsRequests.EpochAt(CpsFactory.DefaultStart);
    private static readonly string[] Buckets = ["2f3e", "1d2c", "3b4a", "0e9d"];

    [Fact]
    [Trait("Claim", "TM-21")]
    public async Task Logs_OfStoresRetrievalsAndErrors_NameNoBucketEpochAddressOrKey()
    {
        using var factory = NewFactory(settings: null);
        var (forbidden, metrics) = await ExerciseAsync(factory);

        var logs = factory.Logs.All;
        Assert.Contains("System.IO.IOException", logs, StringComparison.Ordinal); // capture works: the failure was logged
        foreach (var secret in forbidden)
        {
            Assert.DoesNotContain(secret, logs, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var secret in forbidden)
        {
            Assert.DoesNotContain(secret, metrics, StringComparison.OrdinalIgnoreCase);
        }

        // A bucket written as a number (a structured log field, a debug dump) names it as well as its hex does.
        foreach (var bucket in Buckets)
        {
            var number = Convert.ToUInt32(bucket, 16).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.DoesNotMatch($@"(?<![0-9]){number}(?![0-9])", logs);
            Assert.DoesNotMatch($@"(?<![0-9]){number}(?![0-9])", metrics);
        }
    }

    [Fact]
    public void DecimalBucketSearch_FindsABucketWrittenAsANumber()
    {
        // The search above would see it: a log line naming bucket 2f3e as its value 12094 is caught, one where those
        // digits are part of a longer number is not.
        var number = Convert.ToUInt32(Buckets[0], 16).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches($@"(?<![0-9]){number}(?![0-9])", "info: stored into bucket 12094 of the epoch");
        Assert.DoesNotMatch($@"(?<![0-9]){number}(?![0-9])", "info: 3120945 bytes");
    }

    [Fact]
    public async Task Logs_WithHostingDiagnosticsRaised_WouldShowThePaths()
    {
        // The capture is able to see what the defaults hide: with the hosting category turned back on, bucket
        // paths appear. This is why the defaults exist.
        using var factory = NewFactory(new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information" });
        await ExerciseAsync(factory);

        Assert.Contains(Buckets[0], factory.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-21")]
    public async Task Metrics_HaveOnlyProblemTypeLabels()
    {
        using var factory = NewFactory(settings: null);
        var (_, metrics) = await ExerciseAsync(factory);

        var names = ProblemType.All.Select(t => t.Name).ToHashSet();
        var samples = metrics.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.NotEmpty(samples);
        foreach (var sample in samples)
        {
            var match = Sample().Match(sample);
            Assert.True(match.Success, $"not a Prometheus sample: {sample}");
            if (match.Groups["labels"].Success)
            {
                Assert.Equal("cps_rejections_total", match.Groups["name"].Value);
                Assert.Contains(match.Groups["type"].Value, names);
            }
        }

        Assert.Contains("cps_rejections_total{type=\"rate-limited\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("cps_rejections_total{type=\"bucket-full\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("cps_blobs_stored_total 18\n", metrics, StringComparison.Ordinal);
    }

    private static CpsFactory NewFactory(IReadOnlyDictionary<string, string?>? settings)
    {
        var all = new Dictionary<string, string?>(CpsFactory.ManagementSettings)
        {
            ["Cps:RateLimits:Retrieve:PermitLimit"] = "40",
            ["Cps:RateLimits:Retrieve:WindowSeconds"] = "3600",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new CpsFactory(settings: all);
    }

    /// <summary>Stores, retrieves, fills a bucket, sends bad requests, trips the rate limit and breaks the store.</summary>
    private static async Task<(List<string> Forbidden, string Metrics)> ExerciseAsync(CpsFactory factory)
    {
        using var client = factory.CreateClient();
        var forbidden = new List<string> { ClientV4, ClientV6, "2001:db8:77::", Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        forbidden.AddRange(Buckets);
        forbidden.Add(Convert.ToHexString((await factory.Store.GetCoverKeyAsync(default)).Span));
        forbidden.Add(System.Buffers.Text.Base64Url.EncodeToString((await factory.Store.GetIndexSaltAsync(default)).Span));
        forbidden.Add(Convert.ToHexString((await factory.Store.GetIndexSaltAsync(default)).Span));

        foreach (var bucket in Buckets)
        {
            var blob = RandomNumberGenerator.GetBytes(2048);
            forbidden.Add(Convert.ToHexString(blob, 0, 8));
            using var _ = await client.StoreAsync(Epoch, bucket, blob, clientAddress: ClientV4);
            using var __ = await client.RetrieveAsync(Epoch, bucket, clientAddress: ClientV6);
        }

        for (var i = 0; i < 14; i++)
        {
            using var _ = await client.StoreAsync(Epoch, Buckets[1], RandomNumberGenerator.GetBytes(2048), clientAddress: ClientV4);
        }

        using (var full = await client.StoreAsync(Epoch, Buckets[1], RandomNumberGenerator.GetBytes(2048), clientAddress: ClientV4))
        {
            Assert.Equal("bucket-full", (await full.ProblemAsync()).ProblemName());
        }

        string[] bad =
        [
            $"/v1/epochs/{Epoch}/buckets/{Buckets[2]}0", $"/v1/epochs/0{Epoch}/buckets/{Buckets[2]}",
            $"/v1/epochs/{Epoch + 7}/buckets/{Buckets[2]}", $"/v1/epochs/{Epoch}/buckets/{Buckets[2]}/more",
        ];
        foreach (var path in bad)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Add(TestClientAddress.Header, ClientV4);
            using var _ = await client.SendAsync(request);
        }

        using (var wrongType = await client.StoreAsync(Epoch, Buckets[2], new byte[2048], contentType: "text/plain", clientAddress: ClientV4))
        using (var tooLarge = await client.StoreAsync(Epoch, Buckets[2], new byte[20 * 2048], clientAddress: ClientV4))
        {
            Assert.Equal(415, (int)wrongType.StatusCode);
            Assert.Equal(413, (int)tooLarge.StatusCode);
        }

        for (var i = 0; i < 40; i++)
        {
            using var response = await client.RetrieveAsync(Epoch, Buckets[3], clientAddress: ClientV4);
            if ((int)response.StatusCode == 429)
            {
                break;
            }
        }

        factory.Store.Failure = new IOException($"bucket {Epoch}/2048/{Buckets[0]} unreadable for {ClientV4}");
        using (var failed = await client.RetrieveAsync(Epoch, Buckets[0], clientAddress: ClientV6))
        {
            Assert.Equal(500, (int)failed.StatusCode);
        }

        factory.Store.Failure = null;
        return (forbidden, await factory.GetMetricsAsync());
    }

    [GeneratedRegex("^(?<name>[a-z_]+)(?<labels>\\{type=\"(?<type>[a-z-]+)\"\\})? \\d+$")]
    private static partial Regex Sample();
}
