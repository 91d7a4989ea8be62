using System.Text.Json;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// Reads the documents a directory serves (spec/protocol.md §10). Only their shape is checked here; every token
/// in them is parsed and verified afterwards like any record from outside.
/// </summary>
internal static class DirectoryDocumentReader
{
    /// <summary>The largest JSON document accepted (a decompressed snapshot), so that a hostile directory cannot exhaust memory.</summary>
    public const int MaxDocumentBytes = 256 * 1024 * 1024;

    public static List<string> Records(ReadOnlyMemory<byte> json) => Parse(json, "records", root => Tokens(root, "records", "records"));

    public static BucketAnswer Bucket(ReadOnlyMemory<byte> json) => Parse(json, "bucket", root => new BucketAnswer(
        String(root, "bucket", "bucket"),
        Tokens(root, "records", "bucket"),
        Boolean(root, "truncated", "bucket"),
        Version(root, "version", "bucket")));

    public static SnapshotDocument Snapshot(ReadOnlyMemory<byte> json) => Parse(json, "snapshot", root => new SnapshotDocument(
        Version(root, "version", "snapshot"),
        Tokens(root, "entries", "snapshot")));

    public static ChangesDocument Changes(ReadOnlyMemory<byte> json) => Parse(json, "changes", root =>
    {
        var changes = new List<(long Version, string Entry)>();
        if (!root.TryGetProperty("changes", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new DirectoryDocumentFormatException("changes", "\"changes\" is missing or not an array");
        }

        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new DirectoryDocumentFormatException("changes", "a change is not an object {\"entry\", \"version\"}");
            }

            changes.Add((Version(item, "version", "changes"), String(item, "entry", "changes")));
        }

        var since = Version(root, "since", "changes");
        var version = Version(root, "version", "changes");
        var latest = Version(root, "latest", "changes");
        var previous = since;
        foreach (var (v, _) in changes)
        {
            if (v <= previous)
            {
                throw new DirectoryDocumentFormatException("changes", $"version {v} does not follow {previous}: changes must be in increasing order after since");
            }

            previous = v;
        }

        if (version != previous || latest < version)
        {
            throw new DirectoryDocumentFormatException("changes", $"\"version\" {version} is not the last change's ({previous}), or \"latest\" {latest} is below it");
        }

        return new ChangesDocument(since, version, latest, changes);
    });

    public static DirectoryConfiguration Configuration(ReadOnlyMemory<byte> json) => Parse(json, "config", root =>
    {
        var version = Version(root, "version", "config");
        if (version != 1)
        {
            throw new DirectoryDocumentFormatException("config", $"protocol version {version} is not 1 (spec/protocol.md §12)");
        }

        var bits = Version(root, "bucketBits", "config");
        var bytes = Version(root, "bucketBytes", "config");
        if (bits is < KeyRecordBucket.MinBits or > KeyRecordBucket.MaxBits || bytes is < 1024 or > 16 * 1024 * 1024)
        {
            throw new DirectoryDocumentFormatException("config", $"bucketBits {bits} is outside {KeyRecordBucket.MinBits}..{KeyRecordBucket.MaxBits} or bucketBytes {bytes} outside 1024..16777216");
        }

        return new DirectoryConfiguration((int)bits, (int)bytes, Version(root, "directoryVersion", "config"));
    });

    public static (int Status, long? Version, string? Type, string? Detail) Receipt(int status, ReadOnlyMemory<byte> json)
    {
        return Parse(json, "receipt", root =>
        {
            if (status is 200 or 201)
            {
                return (status, (long?)Version(root, "version", "receipt"), (string?)null, (string?)null);
            }

            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "about:blank";
            var name = type.StartsWith("https://stir-encrypted.org/problems/", StringComparison.Ordinal) ? type["https://stir-encrypted.org/problems/".Length..] : type;
            var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return (status, (long?)null, (string?)name, detail);
        });
    }

    private static T Parse<T>(ReadOnlyMemory<byte> json, string document, Func<JsonElement, T> read)
    {
        if (json.Length > MaxDocumentBytes)
        {
            throw new DirectoryDocumentFormatException(document, $"{json.Length} bytes exceed the limit of {MaxDocumentBytes}");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new DirectoryDocumentFormatException(document, $"not JSON: {e.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DirectoryDocumentFormatException(document, "not a JSON object");
            }

            return read(doc.RootElement);
        }
    }

    private static List<string> Tokens(JsonElement root, string name, string document)
    {
        if (!root.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new DirectoryDocumentFormatException(document, $"\"{name}\" is missing or not an array");
        }

        var tokens = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            tokens.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new DirectoryDocumentFormatException(document, $"an element of \"{name}\" is not a string"));
        }

        return tokens;
    }

    private static string String(JsonElement root, string name, string document) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new DirectoryDocumentFormatException(document, $"\"{name}\" is missing or not a string");

    private static bool Boolean(JsonElement root, string name, string document) =>
        root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new DirectoryDocumentFormatException(document, $"\"{name}\" is missing or not a boolean");

    private static long Version(JsonElement root, string name, string document) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0
            ? number
            : throw new DirectoryDocumentFormatException(document, $"\"{name}\" is missing or not a non-negative integer");
}

/// <summary>A bucketed answer.</summary>
internal sealed record BucketAnswer(string Bucket, List<string> Records, bool Truncated, long Version);

/// <summary>A snapshot document.</summary>
internal sealed record SnapshotDocument(long Version, List<string> Entries);

/// <summary>A page of the change log.</summary>
internal sealed record ChangesDocument(long Since, long Version, long Latest, List<(long Version, string Entry)> Changes);

/// <summary>What a client reads from <c>/v1/config</c>.</summary>
internal sealed record DirectoryConfiguration(int BucketBits, int BucketBytes, long DirectoryVersion);
