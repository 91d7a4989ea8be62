using System.Text;
using System.Text.Json.Nodes;
using Stir.Encrypted.Cps;

namespace Stir.Encrypted.Tests.Formats;

public sealed class CpsConfigurationTests
{
    private static CpsConfiguration Sample() => new(
        new IndexParameters(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), IndexParameters.DefaultMemoryKiB, 2, 14, 3600),
        [new SizeClass(2048, 16), new SizeClass(8192, 4)],
        RetentionPolicy.Default,
        storeAuthenticationRequired: false,
        maxBlobsPerStore: 8,
        clockSkewSeconds: 5);

    [Fact]
    public void ParseOfToJson_RoundTrips()
    {
        var original = Sample();

        var parsed = CpsConfiguration.Parse(Encoding.UTF8.GetBytes(original.ToJson().ToJsonString()));

        Assert.True(parsed.Index.SameFunctionAs(original.Index));
        Assert.Equal(original.Classes, parsed.Classes);
        Assert.Equal(original.Retention, parsed.Retention);
        Assert.Equal(8, parsed.MaxBlobsPerStore);
        Assert.Equal(5, parsed.ClockSkewSeconds);
    }

    [Fact]
    public void ClassFor_PicksTheSmallestThatFits()
    {
        var config = Sample();

        Assert.Equal(2048, config.ClassFor(100)!.Size);
        Assert.Equal(2048, config.ClassFor(2048 - 240 - 3)!.Size);     // enc, 4 stanzas of 48, the body's tag, the plaintext header
        Assert.Equal(8192, config.ClassFor(2048 - 240 - 2)!.Size);
        Assert.Null(config.ClassFor(8192));
    }

    public static TheoryData<string, string, string> Mutations() => new()
    {
        { "version", "2", "\"version\" is 2" },
        { "suite", "\"p256-sha256-aes128gcm\"", "\"suite\" is" },
        { "index.memoryKiB", "8", "\"index.memoryKiB\" is 8; allowed 19456" },
        { "index.iterations", "1", "\"index.iterations\" is 1" },
        { "index.parallelism", "4", "\"index.parallelism\" is 4" },
        { "index.salt", "\"AAAA\"", "\"index.salt\" is not 32 bytes" },
        { "index.salt", "\"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\"", "\"index.salt\" is not 32 bytes" },
        { "index.bucketBits", "33", "\"index.bucketBits\" is 33" },
        { "index.function", "\"scrypt\"", "\"index.function\" is \"scrypt\"" },
        { "epochSeconds", "\"3600\"", "\"epochSeconds\" is missing or not an integer" },
        { "epochSeconds", "3600.5", "\"epochSeconds\" is missing or not an integer" },
        { "retention.maxSeconds", "5", "\"retention.maxSeconds\" is 5; allowed 20" },
        { "storeAuthentication", "\"maybe\"", "\"storeAuthentication\" is \"maybe\"" },
        { "limits.maxBlobsPerStore", "0", "\"limits.maxBlobsPerStore\" is 0" },
        { "classes", "[]", "\"classes\" must be an array of 1 to 8" },
        { "classes", "[{\"size\":100,\"slots\":4}]", "\"classes[0].size\" is 100" },
        { "classes", "[{\"size\":2048,\"slots\":4},{\"size\":2048,\"slots\":8}]", "repeats size 2048" },
        { "classes", "[{\"size\":2048,\"slots\":1}]", "\"classes[0].slots\" is 1" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    [Trait("Claim", "TM-01")]
    public void Parse_MalformedMember_NamesIt(string path, string json, string reason)
    {
        var doc = Sample().ToJson();
        var parts = path.Split('.');
        var target = parts.Length == 1 ? doc : (JsonObject)doc[parts[0]]!;
        target[parts[^1]] = JsonNode.Parse(json);

        var ex = Assert.Throws<BlobFormatException>(() => CpsConfiguration.Parse(Encoding.UTF8.GetBytes(doc.ToJsonString())));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"version\":1,\"version\":1}", "not valid JSON")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("{", "not valid JSON")]
    [InlineData("{}", "\"version\" is missing")]
    public void Parse_Malformed_IsRejected(string json, string reason)
    {
        var ex = Assert.Throws<BlobFormatException>(() => CpsConfiguration.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WithLowerClientMinimum_AcceptsCheapParameters()
    {
        var doc = Sample().ToJson();
        doc["index"]!["memoryKiB"] = 64;

        var parsed = CpsConfiguration.Parse(Encoding.UTF8.GetBytes(doc.ToJsonString()), minimumMemoryKiB: 8, minimumIterations: 1);

        Assert.Equal(64, parsed.Index.MemoryKiB);
    }
}
