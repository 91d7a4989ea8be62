using Microsoft.Extensions.Options;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.DirectoryService.Configuration;

/// <summary>Checks <see cref="DirectoryOptions"/> at start; every failure names the key, its value and the rule.</summary>
internal sealed class DirectoryOptionsValidator : IValidateOptions<DirectoryOptions>
{
    public ValidateOptionsResult Validate(string? name, DirectoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Range(string key, long value, long min, long max)
        {
            if (value < min || value > max)
            {
                failures.Add($"Directory:{key} is {value}; allowed {min}..{max}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.TrustAnchorsFile))
        {
            failures.Add("Directory:TrustAnchorsFile is not set; name the PEM file of the STI root certificates key records must chain to");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Directory:DataDirectory is empty; name the directory where the store keeps its files");
        }

        Range("BucketBits", options.BucketBits, KeyRecordBucket.MinBits, KeyRecordBucket.MaxBits);
        Range("BucketBytes", options.BucketBytes, 1024, 16 * 1024 * 1024);
        Range("RangeBucketLimit", options.RangeBucketLimit, 0, 10_000_000);
        Range("MaxValidityDays", options.MaxValidityDays, 1, 3660);
        Range("ClockSkewSeconds", options.ClockSkewSeconds, 0, 3600);
        Range("ChangeLogRetention", options.ChangeLogRetention, 1, 100_000_000);
        Range("ChangesPerPage", options.ChangesPerPage, 1, 100_000);
        Range("Enum:TtlSeconds", options.Enum.TtlSeconds, 0, int.MaxValue);
        foreach (var (key, url) in new[] { ("Enum:CpsUrl", options.Enum.CpsUrl), ("Enum:DirectoryUrl", options.Enum.DirectoryUrl) })
        {
            if (url is not null && !ServiceUrl.TryParse(url, allowHttpOnLoopback: false, out _, out var error))
            {
                failures.Add($"Directory:{key} is \"{url}\"; {error}");
            }
        }

        foreach (var (key, host) in new[] { ("Enum:NameServer", options.Enum.NameServer), ("Enum:Hostmaster", options.Enum.Hostmaster) })
        {
            if (!DomainName.TryNormalize(host, out _, out var error))
            {
                failures.Add($"Directory:{key} is \"{host}\"; {error}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
