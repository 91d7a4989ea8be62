using System.Text.Json.Nodes;
using Stir.Encrypted.Cps;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Problems;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>The (epoch, bucket) a store or retrieval URL names, checked against spec/protocol.md §8.</summary>
internal readonly record struct BucketAddress(ulong Epoch, uint Bucket)
{
    /// <summary>The longest decimal u64.</summary>
    private const int MaxEpochDigits = 20;

    public static bool TryParse(string epochText, string bucketText, CpsRuntime runtime, long nowUnixMs, bool forStore, out BucketAddress address, out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(epochText);
        ArgumentNullException.ThrowIfNull(bucketText);
        ArgumentNullException.ThrowIfNull(runtime);
        address = default;
        if (!TryParseEpoch(epochText, out var epoch, out var epochError))
        {
            problem = new Problem(ProblemType.BadEpoch, epochError!);
            return false;
        }

        if (!BlobIndex.TryParseBucket(bucketText, runtime.Configuration.Index.BucketBits, out var bucket, out var bucketError))
        {
            problem = new Problem(ProblemType.BadBucket, bucketError!);
            return false;
        }

        var (first, last) = forStore ? runtime.Epochs.StoreRange(nowUnixMs) : runtime.Epochs.RetrieveRange(nowUnixMs);
        if (epoch < first || epoch > last)
        {
            var operation = forStore ? "stores" : "retrievals";
            problem = new Problem(ProblemType.EpochOutOfRange, $"epoch {epoch} is not accepted now; {operation} accept epochs {first}..{last}")
            {
                Extensions = new Dictionary<string, JsonNode?> { ["acceptedEpochs"] = new JsonObject { ["first"] = first, ["last"] = last } },
            };
            return false;
        }

        address = new BucketAddress(epoch, bucket);
        problem = null;
        return true;
    }

    /// <summary>Canonical decimal: 1 to 20 digits, no sign, no leading zero, at most 2^64 − 1.</summary>
    internal static bool TryParseEpoch(string text, out ulong epoch, out string? error)
    {
        epoch = 0;
        if (text.Length is 0 or > MaxEpochDigits)
        {
            error = $"an epoch is 1 to {MaxEpochDigits} decimal digits; got {text.Length} characters";
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is < '0' or > '9')
            {
                error = $"character {i + 1} of the epoch is not a decimal digit";
                return false;
            }
        }

        if (text.Length > 1 && text[0] == '0')
        {
            error = "an epoch has no leading zeros";
            return false;
        }

        if (!ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out epoch))
        {
            error = "the epoch is larger than 2^64 − 1";
            return false;
        }

        error = null;
        return true;
    }
}
