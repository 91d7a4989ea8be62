using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The CPS configuration document (spec/protocol.md §7): what a client needs to derive indexes, pick a
/// blob size and know the retention. Parsed strictly, because a CPS that publishes weak index parameters
/// would make enumeration of callers cheap.
/// </summary>
public sealed class CpsConfiguration
{
    /// <summary>The document version this code speaks.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The only blob suite of version 1.</summary>
    public const string BlobSuite = "x25519-sha256-chacha20poly1305";

    /// <summary>Creates a configuration.</summary>
    public CpsConfiguration(IndexParameters index, IReadOnlyList<SizeClass> classes, RetentionPolicy retention, bool storeAuthenticationRequired, int maxBlobsPerStore, int clockSkewSeconds)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(retention);
        if (classes.Count == 0 || classes.Select(c => c.Size).Distinct().Count() != classes.Count)
        {
            throw new ArgumentException("at least one size class, with distinct sizes", nameof(classes));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlobsPerStore, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBlobsPerStore, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(clockSkewSeconds, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clockSkewSeconds, 300);
        Index = index;
        Classes = [.. classes.OrderBy(c => c.Size)];
        Retention = retention;
        StoreAuthenticationRequired = storeAuthenticationRequired;
        MaxBlobsPerStore = maxBlobsPerStore;
        ClockSkewSeconds = clockSkewSeconds;
    }

    /// <summary>The index function's parameters.</summary>
    public IndexParameters Index { get; }

    /// <summary>The size classes, smallest first.</summary>
    public IReadOnlyList<SizeClass> Classes { get; }

    /// <summary>Blob lifetimes.</summary>
    public RetentionPolicy Retention { get; }

    /// <summary>Whether stores need a storer token (spec/protocol.md §8.3).</summary>
    public bool StoreAuthenticationRequired { get; }

    /// <summary>The most blobs (key holders) one store request carries.</summary>
    public int MaxBlobsPerStore { get; }

    /// <summary>The clock skew the CPS tolerates at epoch boundaries, in seconds.</summary>
    public int ClockSkewSeconds { get; }

    /// <summary>The smallest class whose payload capacity holds <paramref name="payloadLength"/> bytes, or null.</summary>
    public SizeClass? ClassFor(int payloadLength) => Classes.FirstOrDefault(c => c.PayloadCapacity >= payloadLength);

    /// <summary>Writes the document (spec/protocol.md §7).</summary>
    public JsonObject ToJson() => new()
    {
        ["version"] = CurrentVersion,
        ["suite"] = BlobSuite,
        ["epochSeconds"] = Index.EpochSeconds,
        ["index"] = new JsonObject
        {
            ["function"] = "argon2id",
            ["memoryKiB"] = Index.MemoryKiB,
            ["iterations"] = Index.Iterations,
            ["parallelism"] = Index.Parallelism,
            ["salt"] = StrictBase64.EncodeUrl(Index.Salt),
            ["bucketBits"] = Index.BucketBits,
        },
        ["classes"] = new JsonArray([.. Classes.Select(c => (JsonNode)new JsonObject { ["size"] = c.Size, ["slots"] = c.Slots })]),
        ["retention"] = new JsonObject
        {
            ["minSeconds"] = Retention.MinSeconds,
            ["meanExtraSeconds"] = Retention.MeanExtraSeconds,
            ["maxSeconds"] = Retention.MaxSeconds,
        },
        ["storeAuthentication"] = StoreAuthenticationRequired ? "required" : "off",
        ["limits"] = new JsonObject { ["maxBlobsPerStore"] = MaxBlobsPerStore, ["clockSkewSeconds"] = ClockSkewSeconds },
    };

    /// <summary>
    /// Parses a configuration document from a CPS, refusing unknown versions and suites, malformed or
    /// out-of-range values, duplicate members, index costs below <paramref name="minimumMemoryKiB"/> /
    /// <paramref name="minimumIterations"/> (a downgrade would make enumeration cheap), and parameters weaker than
    /// <paramref name="floors"/> (spec/protocol.md §7 "Client floors"; the documented ones when null): a longer
    /// epoch, more bucket bits, fewer slots, or a longer or less random retention.
    /// </summary>
    /// <exception cref="BlobFormatException">The document breaks a rule; the message names the member, its value and the rule.</exception>
    public static CpsConfiguration Parse(ReadOnlySpan<byte> json, int minimumMemoryKiB = IndexParameters.DefaultMemoryKiB, int minimumIterations = IndexParameters.DefaultIterations, CpsConfigurationFloors? floors = null)
    {
        floors ??= CpsConfigurationFloors.Documented;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw new BlobFormatException($"CPS configuration is not valid JSON: {ex.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new BlobFormatException("CPS configuration is not a JSON object");
            }

            var version = Int(root, "version", 1, int.MaxValue);
            if (version != CurrentVersion)
            {
                throw new BlobFormatException($"CPS configuration \"version\" is {version}; this client speaks {CurrentVersion}");
            }

            var suite = Str(root, "suite");
            if (suite != BlobSuite)
            {
                throw new BlobFormatException($"CPS configuration \"suite\" is \"{suite}\"; version 1 uses \"{BlobSuite}\"");
            }

            var epochSeconds = Int(root, "epochSeconds", 60, 7 * 24 * 3600);
            var index = Obj(root, "index");
            var function = Str(index, "function", "index.");
            if (function != "argon2id")
            {
                throw new BlobFormatException($"CPS configuration \"index.function\" is \"{function}\"; version 1 uses \"argon2id\"");
            }

            var memory = Int(index, "memoryKiB", minimumMemoryKiB, 4 * 1024 * 1024, "index.");
            var iterations = Int(index, "iterations", minimumIterations, 64, "index.");
            Int(index, "parallelism", 1, 1, "index.");
            var saltText = Str(index, "salt", "index.");
            if (!StrictBase64.TryDecodeUrl(saltText, out var salt, out _) || salt.Length != IndexParameters.SaltSize)
            {
                throw new BlobFormatException($"CPS configuration \"index.salt\" is not {IndexParameters.SaltSize} bytes of unpadded base64url");
            }

            var bucketBits = Int(index, "bucketBits", 1, 32, "index.");

            if (!root.TryGetProperty("classes", out var classesElement) || classesElement.ValueKind != JsonValueKind.Array || classesElement.GetArrayLength() is 0 or > 8)
            {
                throw new BlobFormatException("CPS configuration \"classes\" must be an array of 1 to 8 size classes");
            }

            var classes = new List<SizeClass>();
            var i = 0;
            foreach (var c in classesElement.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.Object)
                {
                    throw new BlobFormatException($"CPS configuration \"classes\"[{i}] is not an object");
                }

                var size = Int(c, "size", SizeClass.MinSize, SizeClass.MaxSize, $"classes[{i}].");
                var slots = Int(c, "slots", 2, 256, $"classes[{i}].");
                if (classes.Any(x => x.Size == size))
                {
                    throw new BlobFormatException($"CPS configuration \"classes\"[{i}] repeats size {size}");
                }

                classes.Add(new SizeClass(size, slots));
                i++;
            }

            var retention = Obj(root, "retention");
            var min = Int(retention, "minSeconds", 1, 3600, "retention.");
            var mean = Int(retention, "meanExtraSeconds", 1, 3600, "retention.");
            var max = Int(retention, "maxSeconds", min, 3600, "retention.");
            var auth = Str(root, "storeAuthentication");
            if (auth is not ("off" or "required"))
            {
                throw new BlobFormatException($"CPS configuration \"storeAuthentication\" is \"{auth}\"; expected \"off\" or \"required\"");
            }

            var limits = Obj(root, "limits");
            var maxBlobs = Int(limits, "maxBlobsPerStore", 1, 64, "limits.");
            var skew = Int(limits, "clockSkewSeconds", 0, 300, "limits.");

            // spec/protocol.md §7 "Client floors": well-formed, but weaker than this client accepts.
            AtMost("epochSeconds", epochSeconds, floors.MaxEpochSeconds);
            AtMost("index.bucketBits", bucketBits, floors.MaxBucketBits);
            for (var c = 0; c < classes.Count; c++)
            {
                AtLeast($"classes[{c}].slots", classes[c].Slots, floors.MinSlots);
            }

            AtLeast("retention.minSeconds", min, floors.MinRetentionSeconds);
            AtLeast("retention.meanExtraSeconds", mean, floors.MinMeanExtraSeconds);
            AtMost("retention.maxSeconds", max, floors.MaxRetentionSeconds);
            return new CpsConfiguration(
                new IndexParameters(salt, memory, iterations, bucketBits, epochSeconds),
                classes,
                new RetentionPolicy(min, mean, max),
                auth == "required",
                maxBlobs,
                skew);
        }
    }

    private static void AtMost(string member, int value, int floor)
    {
        if (value > floor)
        {
            throw new BlobFormatException($"CPS configuration \"{member}\" is {value}; this client accepts at most {floor} (spec §7 floors)");
        }
    }

    private static void AtLeast(string member, int value, int floor)
    {
        if (value < floor)
        {
            throw new BlobFormatException($"CPS configuration \"{member}\" is {value}; this client accepts at least {floor} (spec §7 floors)");
        }
    }

    private static JsonElement Obj(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            throw new BlobFormatException($"CPS configuration \"{name}\" is missing or not an object");
        }

        return value;
    }

    private static string Str(JsonElement parent, string name, string path = "")
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new BlobFormatException($"CPS configuration \"{path}{name}\" is missing or not a string");
        }

        return value.GetString()!;
    }

    private static int Int(JsonElement parent, string name, int min, int max, string path = "")
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n))
        {
            throw new BlobFormatException($"CPS configuration \"{path}{name}\" is missing or not an integer");
        }

        if (n < min || n > max)
        {
            throw new BlobFormatException($"CPS configuration \"{path}{name}\" is {n}; allowed {min}..{max}");
        }

        return n;
    }
}
