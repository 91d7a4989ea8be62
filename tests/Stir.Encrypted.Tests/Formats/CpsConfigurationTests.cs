using System.Text;
using System.Text.Json.Nodes;
using Stir.Encrypted.Cps;

namespace Stir.Encrypted.Tests.Formats;

public sealed class CpsConfigurationTests
{
    private static CpsConfiguration Sample() => new(
        new IndexParameters(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), IndexParameters.DefaultMemoryKiB, 2, 14, 3600),
        [new SizeClass(2048, 16), new SizeClass(8192, 8)],
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

    // spec/protocol.md §7 "Client floors", one test per member: a well-formed document whose value is weaker than the
    // floor is refused through the public parse path with the member, its value and the floor; the floor itself passes.
    [Fact]
    [Trait("Claim", "TM-01")]
    public void Floor_EpochSeconds_LongerThan3600_IsRefused() =>
        AssertFloor("epochSeconds", 3601, 3600, "\"epochSeconds\" is 3601; this client accepts at most 3600 (spec §7 floors)");

    [Fact]
    [Trait("Claim", "TM-01")]
    public void Floor_IndexBucketBits_MoreThan20_IsRefused() =>
        AssertFloor("index.bucketBits", 32, 20, "\"index.bucketBits\" is 32; this client accepts at most 20 (spec §7 floors)");

    [Fact]
    [Trait("Claim", "TM-01")]
    public void Floor_ClassesSlots_FewerThan8_IsRefused_InEveryClass()
    {
        var doc = Sample().ToJson();
        doc["classes"]![1]!["slots"] = 7;
        var ex = Assert.Throws<BlobFormatException>(() => Parse(doc));
        Assert.Equal("CPS configuration \"classes[1].slots\" is 7; this client accepts at least 8 (spec §7 floors)", ex.Message);

        doc["classes"]![1]!["slots"] = 8;
        Assert.Equal(8, Parse(doc).Classes[1].Slots);
    }

    [Fact]
    [Trait("Claim", "TM-01")]
    public void Floor_RetentionMaxSeconds_LongerThan120_IsRefused() =>
        AssertFloor("retention.maxSeconds", 121, 120, "\"retention.maxSeconds\" is 121; this client accepts at most 120 (spec §7 floors)");

    [Fact]
    [Trait("Claim", "TM-01")]
    public void Floor_RetentionMinSeconds_ShorterThan5_IsRefused()
    {
        var doc = Sample().ToJson();
        doc["retention"]!["maxSeconds"] = 10;
        doc["retention"]!["minSeconds"] = 4;
        var ex = Assert.Throws<BlobFormatException>(() => Parse(doc));
        Assert.EndsWith("\"retention.minSeconds\" is 4; this client accepts at least 5 (spec §7 floors)", ex.Message, StringComparison.Ordinal);

        doc["retention"]!["minSeconds"] = 5;
        Assert.Equal(5, Parse(doc).Retention.MinSeconds);
    }

    [Fact]
    [Trait("Claim", "TM-01")]
    public void Floor_RetentionMeanExtraSeconds_BelowTheFloor_IsRefused()
    {
        // The documented floor (1 s) is also the document's own lower bound; an operator's stronger floor is enforced alike.
        var doc = Sample().ToJson();
        doc["retention"]!["meanExtraSeconds"] = 0;
        Assert.Contains("\"retention.meanExtraSeconds\" is 0; allowed 1..3600", Assert.Throws<BlobFormatException>(() => Parse(doc)).Message, StringComparison.Ordinal);

        doc["retention"]!["meanExtraSeconds"] = 4;
        var ex = Assert.Throws<BlobFormatException>(() => Parse(doc, new CpsConfigurationFloors { MinMeanExtraSeconds = 5 }));
        Assert.EndsWith("\"retention.meanExtraSeconds\" is 4; this client accepts at least 5 (spec §7 floors)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, Parse(doc).Retention.MeanExtraSeconds);
    }

    [Fact]
    [Trait("Claim", "TM-01")]
    public void Floor_IndexMemoryKiBAndIterations_BelowTheMinimums_AreRefused()
    {
        var doc = Sample().ToJson();
        doc["index"]!["memoryKiB"] = IndexParameters.DefaultMemoryKiB - 1;
        Assert.Contains("\"index.memoryKiB\" is 19455; allowed 19456..", Assert.Throws<BlobFormatException>(() => Parse(doc)).Message, StringComparison.Ordinal);

        doc = Sample().ToJson();
        doc["index"]!["iterations"] = 1;
        Assert.Contains("\"index.iterations\" is 1; allowed 2..", Assert.Throws<BlobFormatException>(() => Parse(doc)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Floors_TightenedByTheOperator_RefuseWhatTheDocumentedOnesAccept()
    {
        var doc = Sample().ToJson();
        doc["index"]!["bucketBits"] = 18;
        var floors = new CpsConfigurationFloors { MaxBucketBits = 16, MinSlots = 16, MaxRetentionSeconds = 60, MinRetentionSeconds = 10 };

        Assert.Equal(18, Parse(doc).Index.BucketBits);
        Assert.EndsWith("\"index.bucketBits\" is 18; this client accepts at most 16 (spec §7 floors)", Assert.Throws<BlobFormatException>(() => Parse(doc, floors)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(CpsConfigurationFloors.MaxEpochSeconds), 3601)]
    [InlineData(nameof(CpsConfigurationFloors.MaxBucketBits), 21)]
    [InlineData(nameof(CpsConfigurationFloors.MinSlots), 7)]
    [InlineData(nameof(CpsConfigurationFloors.MaxRetentionSeconds), 121)]
    [InlineData(nameof(CpsConfigurationFloors.MinRetentionSeconds), 4)]
    [InlineData(nameof(CpsConfigurationFloors.MinMeanExtraSeconds), 0)]
    public void Floors_SetWeakerThanDocumented_IsMisuse(string floor, int value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => floor switch
        {
            nameof(CpsConfigurationFloors.MaxEpochSeconds) => new CpsConfigurationFloors { MaxEpochSeconds = value },
            nameof(CpsConfigurationFloors.MaxBucketBits) => new CpsConfigurationFloors { MaxBucketBits = value },
            nameof(CpsConfigurationFloors.MinSlots) => new CpsConfigurationFloors { MinSlots = value },
            nameof(CpsConfigurationFloors.MaxRetentionSeconds) => new CpsConfigurationFloors { MaxRetentionSeconds = value },
            nameof(CpsConfigurationFloors.MinRetentionSeconds) => new CpsConfigurationFloors { MinRetentionSeconds = value },
            _ => new CpsConfigurationFloors { MinMeanExtraSeconds = value },
        });

        Assert.Equal(floor, ex.ParamName);
    }

    [Fact]
    public void Parse_WithLowerClientMinimum_AcceptsCheapParameters()
    {
        var doc = Sample().ToJson();
        doc["index"]!["memoryKiB"] = 64;

        var parsed = CpsConfiguration.Parse(Encoding.UTF8.GetBytes(doc.ToJsonString()), minimumMemoryKiB: 8, minimumIterations: 1);

        Assert.Equal(64, parsed.Index.MemoryKiB);
    }

    private static CpsConfiguration Parse(JsonObject doc, CpsConfigurationFloors? floors = null) =>
        CpsConfiguration.Parse(Encoding.UTF8.GetBytes(doc.ToJsonString()), floors: floors);

    // The member at its floor parses; one step weaker is refused with exactly this message.
    private static void AssertFloor(string path, int weaker, int floor, string reason)
    {
        var doc = Sample().ToJson();
        var parts = path.Split('.');
        var target = parts.Length == 1 ? doc : (JsonObject)doc[parts[0]]!;
        target[parts[^1]] = weaker;
        var ex = Assert.Throws<BlobFormatException>(() => Parse(doc));
        Assert.Equal($"CPS configuration {reason}", ex.Message);

        target[parts[^1]] = floor;
        _ = Parse(doc);
    }
}
