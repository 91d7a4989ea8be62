using System.Text.Json;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// A client's local copy of what directories answered (spec/protocol.md §10 "Client cache"): the synced state
/// (snapshot plus changes: every current entry and the version), and the answers of bucketed and exact
/// lookups, each with the time it was fetched. Tokens are kept as served and verified again whenever used.
/// </summary>
/// <remarks>
/// Saved as <c>directory-cache.json</c> (atomic replace, owner-only). It is a cache: a file that does not read
/// back, or that belongs to another directory URL, is set aside and the cache starts empty. It holds the numbers
/// that were looked up (that is its purpose), so it stays on the client's device.
/// </remarks>
internal sealed class KeyRecordCache
{
    public const string FileName = "directory-cache.json";
    private const int FormatVersion = 1;
    private readonly string? _path;
    private readonly string _directory;

    private KeyRecordCache(string? path, string directory)
    {
        _path = path;
        _directory = directory;
    }

    /// <summary>The synced state, (holder|rid) → token; empty before the first sync.</summary>
    public SortedDictionary<string, string> Synced { get; private set; } = new(StringComparer.Ordinal);

    public long? SyncVersion { get; private set; }

    public long? SyncedAtUnix { get; private set; }

    /// <summary>Lookup answers by source: <c>b:&lt;bits&gt;:&lt;bucket&gt;</c> or <c>n:&lt;tn&gt;</c>.</summary>
    public Dictionary<string, (long AtUnix, List<string> Tokens)> Answers { get; } = new(StringComparer.Ordinal);

    public static KeyRecordCache Open(string? directory, Uri directoryUrl)
    {
        var url = directoryUrl.AbsoluteUri;
        if (directory is null)
        {
            return new KeyRecordCache(null, url);
        }

        var path = Path.Combine(directory, FileName);
        var cache = new KeyRecordCache(path, url);
        if (File.Exists(path) && !cache.TryLoad(File.ReadAllBytes(path)))
        {
            File.Move(path, path + ".damaged", overwrite: true);
            cache = new KeyRecordCache(path, url);
        }

        return cache;
    }

    public void ReplaceSynced(SortedDictionary<string, string> entries, long version, long atUnix)
    {
        Synced = entries;
        SyncVersion = version;
        SyncedAtUnix = atUnix;
    }

    public void Save()
    {
        if (_path is null)
        {
            return;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", FormatVersion);
            writer.WriteString("directory", _directory);
            if (SyncVersion is { } version)
            {
                writer.WriteNumber("syncVersion", version);
                writer.WriteNumber("syncedAt", SyncedAtUnix!.Value);
            }

            writer.WriteStartArray("synced");
            foreach (var token in Synced.Values)
            {
                writer.WriteStringValue(token);
            }

            writer.WriteEndArray();
            writer.WriteStartObject("answers");
            foreach (var (source, (at, tokens)) in Answers.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject(source);
                writer.WriteNumber("at", at);
                writer.WriteStartArray("records");
                foreach (var token in tokens)
                {
                    writer.WriteStringValue(token);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        AtomicFile.Write(_path, buffer.WrittenSpan, ownerOnly: true);
    }

    private bool TryLoad(byte[] bytes)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.GetProperty("format").GetInt32() != FormatVersion || root.GetProperty("directory").GetString() != _directory)
            {
                return false;
            }

            if (root.TryGetProperty("syncVersion", out var version))
            {
                SyncVersion = version.GetInt64();
                SyncedAtUnix = root.GetProperty("syncedAt").GetInt64();
            }

            foreach (var token in root.GetProperty("synced").EnumerateArray().Select(t => t.GetString()!))
            {
                if (!KeyRecord.TryParse(token, out var record, out _))
                {
                    return false;
                }

                Synced[record.EntryKey] = token;
            }

            foreach (var answer in root.GetProperty("answers").EnumerateObject())
            {
                Answers[answer.Name] = (answer.Value.GetProperty("at").GetInt64(), [.. answer.Value.GetProperty("records").EnumerateArray().Select(t => t.GetString()!)]);
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }
}
