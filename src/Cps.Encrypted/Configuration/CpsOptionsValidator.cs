using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps;

namespace Stir.Encrypted.CpsService.Configuration;

/// <summary>
/// Checks <see cref="CpsOptions"/> at start; every failure names the configuration key, its value and the
/// rule, e.g. <c>Cps:Classes:0:Size is 100; allowed 256..65536</c>.
/// </summary>
internal sealed partial class CpsOptionsValidator : IValidateOptions<CpsOptions>
{
    public ValidateOptionsResult Validate(string? name, CpsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Range(string key, long value, long min, long max)
        {
            if (value < min || value > max)
            {
                failures.Add($"Cps:{key} is {value}; allowed {min}..{max}");
            }
        }

        if (options.Classes.Count > 8)
        {
            failures.Add($"Cps:Classes has {options.Classes.Count} entries; allowed 0..8 (none means one class of {CpsOptions.DefaultClass.Size} bytes × {CpsOptions.DefaultClass.Slots})");
        }

        for (var i = 0; i < options.Classes.Count; i++)
        {
            var c = options.Classes[i];
            Range($"Classes:{i}:Size", c.Size, SizeClass.MinSize, SizeClass.MaxSize);
            Range($"Classes:{i}:Slots", c.Slots, 2, 256);
            var first = options.Classes.FindIndex(x => x.Size == c.Size);
            if (first < i)
            {
                failures.Add($"Cps:Classes:{i}:Size is {c.Size}, the same as Cps:Classes:{first}:Size; sizes must differ");
            }
        }

        var r = options.Retention;
        Range("Retention:MinSeconds", r.MinSeconds, 1, 3600);
        Range("Retention:MeanExtraSeconds", r.MeanExtraSeconds, 1, 3600);
        Range("Retention:MaxSeconds", r.MaxSeconds, Math.Max(r.MinSeconds, 1), 3600);

        Range("Index:MemoryKiB", options.Index.MemoryKiB, IndexParameters.DefaultMemoryKiB, 4 * 1024 * 1024);
        Range("Index:Iterations", options.Index.Iterations, IndexParameters.DefaultIterations, 64);
        Range("Index:BucketBits", options.Index.BucketBits, 1, 32);
        if (options.Index.Salt is { } salt && (!StrictBase64.TryDecodeUrl(salt, out var bytes, out _) || bytes.Length != IndexParameters.SaltSize))
        {
            failures.Add($"Cps:Index:Salt is \"{salt}\"; expected {IndexParameters.SaltSize} bytes of unpadded base64url (or no value, to use the store's salt)");
        }

        Range("Limits:ClockSkewSeconds", options.Limits.ClockSkewSeconds, 0, 300);
        Range("Limits:MaxBlobsPerStore", options.Limits.MaxBlobsPerStore, 1, 64);
        var classes = options.EffectiveClasses;
        for (var i = 0; i < classes.Count; i++)
        {
            if (classes[i].Slots >= 2 && options.Limits.MaxBlobsPerStore > classes[i].Slots - 1)
            {
                var slotsKey = options.Classes.Count == 0 ? "the default class's slots" : $"Cps:Classes:{i}:Slots";
                failures.Add($"Cps:Limits:MaxBlobsPerStore is {options.Limits.MaxBlobsPerStore}; it must be at most {slotsKey} ({classes[i].Slots}) − 1, since one slot always holds a decoy");
            }
        }

        var minEpoch = r.MaxSeconds + (2L * options.Limits.ClockSkewSeconds) + 1;
        Range("EpochSeconds", options.EpochSeconds, Math.Max(60, minEpoch), 7 * 24 * 3600);

        Range("RateLimits:Store:PermitLimit", options.RateLimits.Store.PermitLimit, 1, 1_000_000);
        Range("RateLimits:Store:WindowSeconds", options.RateLimits.Store.WindowSeconds, 1, 3600);
        Range("RateLimits:Retrieve:PermitLimit", options.RateLimits.Retrieve.PermitLimit, 1, 1_000_000);
        Range("RateLimits:Retrieve:WindowSeconds", options.RateLimits.Retrieve.WindowSeconds, 1, 3600);
        ValidateStoreAuthentication(options.StoreAuthentication, failures, Range);
        ValidateStorerCap(options, failures, Range);
        ValidateManagement(options.Management, failures);
        Range("RetrievalDeadlineMilliseconds", options.RetrievalDeadlineMilliseconds, 0, CpsOptions.MaxRetrievalDeadlineMilliseconds);
        Range("StoreAttempts", options.StoreAttempts, 1, 100);
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Cps:DataDirectory is empty; name the directory where the store keeps its files");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateStorerCap(CpsOptions options, List<string> failures, Action<string, long, long, long> range)
    {
        var cap = options.StorerCap;
        range("StorerCap:MaxLiveBlobsPerBucket", cap.MaxLiveBlobsPerBucket, 1, 256);
        if (cap.AuthenticatedMaxLiveBlobsPerBucket is { } authenticated)
        {
            range("StorerCap:AuthenticatedMaxLiveBlobsPerBucket", authenticated, 1, 256);
        }

        range("StorerCap:Ipv6PrefixLength", cap.Ipv6PrefixLength, 16, 128);

        // A store of more blobs than a storer may hold could never be taken.
        var max = options.Limits.MaxBlobsPerStore;
        if (max > cap.MaxLiveBlobsPerBucket)
        {
            failures.Add($"Cps:Limits:MaxBlobsPerStore is {max}; it must be at most Cps:StorerCap:MaxLiveBlobsPerBucket ({cap.MaxLiveBlobsPerBucket}), or no store of that many blobs could ever be taken");
        }
        else if (max > cap.EffectiveAuthenticatedMaxLiveBlobsPerBucket)
        {
            failures.Add($"Cps:Limits:MaxBlobsPerStore is {max}; it must be at most Cps:StorerCap:AuthenticatedMaxLiveBlobsPerBucket ({cap.EffectiveAuthenticatedMaxLiveBlobsPerBucket}), or no authenticated store of that many blobs could ever be taken");
        }
    }

    private static void ValidateManagement(ManagementOptions management, List<string> failures)
    {
        foreach (var url in management.UrlList)
        {
            BindingAddress? address = null;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
            }

            // The listener binds addresses, not names: an IP literal, localhost, or * / + for every interface.
            var host = address?.Host.Trim('[', ']');
            if (address is null || address.Scheme != "http" || address.IsUnixPipe || !ExplicitPort().IsMatch(url)
                || !(host is "*" or "+" || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || System.Net.IPAddress.TryParse(host, out _)))
            {
                failures.Add($"Cps:Management:Urls has \"{url}\"; each entry is http://address:port (an IP address, localhost, or * for all; port 0: the kernel chooses), entries separated by ';', or the whole value empty to turn the management listener off");
            }
        }
    }

    private static void ValidateStoreAuthentication(StoreAuthenticationOptions a, List<string> failures, Action<string, long, long, long> range)
    {
        if (a.Mode is not (StoreAuthenticationOptions.Off or StoreAuthenticationOptions.Required))
        {
            failures.Add($"Cps:StoreAuthentication:Mode is \"{a.Mode}\"; allowed \"off\" or \"required\"");
            return;
        }

        if (!a.IsRequired)
        {
            return;
        }

        range("StoreAuthentication:ClockSkewSeconds", a.ClockSkewSeconds, 1, 600);
        range("StoreAuthentication:JtiWindowSeconds", a.JtiWindowSeconds, 2L * a.ClockSkewSeconds, 3600);
        range("StoreAuthentication:MaxRememberedTokens", a.MaxRememberedTokens, 1000, 10_000_000);
        if (!Uri.TryCreate(a.Audience, UriKind.Absolute, out var audience) || (audience.Scheme != Uri.UriSchemeHttps && audience.Scheme != Uri.UriSchemeHttp)
            || audience.Query.Length > 0 || audience.Fragment.Length > 0)
        {
            failures.Add($"Cps:StoreAuthentication:Audience is \"{a.Audience}\"; with Mode \"required\" it must be the CPS base URL clients use (absolute http(s), no query or fragment)");
        }

        if (string.IsNullOrWhiteSpace(a.TrustAnchors))
        {
            failures.Add("Cps:StoreAuthentication:TrustAnchors is not set; with Mode \"required\" name the PEM file of the CA certificates storer chains lead to");
            return;
        }

        try
        {
            _ = CertificateChain.LoadTrustAnchors(a.TrustAnchors);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateFormatException)
        {
            failures.Add($"Cps:StoreAuthentication:TrustAnchors cannot be used: {e.Message}");
        }
    }

    [GeneratedRegex(@"^http://[^/]+:[0-9]{1,5}/?$")]
    private static partial Regex ExplicitPort();
}
