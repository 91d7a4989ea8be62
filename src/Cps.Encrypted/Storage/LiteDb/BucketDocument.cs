using System.Buffers.Binary;
using System.Globalization;
using LiteDB;

namespace Stir.Encrypted.CpsService.Storage.LiteDb;

/// <summary>
/// How one bucket is stored in its epoch's database: one document, <c>_id</c> = <see cref="BucketKey.ToString"/>.
/// Separate from the contract's records so that the file format is explicit and changes only on purpose.
/// </summary>
/// <remarks>
/// <code>
/// { _id: "&lt;epoch&gt;/&lt;size&gt;/&lt;bucket-hex&gt;",
///   v:  Int64 version (≥ 1),
///   x:  Int64 bucket expiry (Unix ms),
///   ev: Binary, the slot events, 20 bytes each: i32be slot ‖ i64be start ‖ i64be end, oldest first,
///   bl: [ { s: Int32 slot, a: Int64 start, e: Int64 end, p: Int64 period, c: Binary sealed bytes } ] }
/// </code>
/// Only blobs still live (or not yet swept) keep their <c>bl</c> entry; their events stay in <c>ev</c> until
/// the bucket expires. Parsing is strict: a document that does not have exactly this shape means the file is
/// damaged, and the store says so instead of guessing.
/// </remarks>
internal sealed class BucketDocument
{
    private const int EventLength = 4 + 8 + 8;

    public BucketDocument(BucketKey key, long version, long expiresUnixMs, List<SlotEvent> events, List<SealedBlobEntry> blobs)
    {
        Key = key;
        Id = key.ToString();
        Version = version;
        ExpiresUnixMs = expiresUnixMs;
        Events = events;
        Blobs = blobs;
    }

    public BucketKey Key { get; }

    public string Id { get; }

    public long Version { get; set; }

    public long ExpiresUnixMs { get; set; }

    public List<SlotEvent> Events { get; }

    public List<SealedBlobEntry> Blobs { get; }

    public BsonDocument ToBson()
    {
        var events = new byte[Events.Count * EventLength];
        for (var i = 0; i < Events.Count; i++)
        {
            var span = events.AsSpan(i * EventLength, EventLength);
            BinaryPrimitives.WriteInt32BigEndian(span, Events[i].Slot);
            BinaryPrimitives.WriteInt64BigEndian(span[4..], Events[i].StartUnixMs);
            BinaryPrimitives.WriteInt64BigEndian(span[12..], Events[i].EndUnixMs);
        }
        var blobs = new BsonArray();
        foreach (var blob in Blobs)
        {
            blobs.Add(new BsonDocument
            {
                ["s"] = blob.Slot,
                ["a"] = blob.StartUnixMs,
                ["e"] = blob.EndUnixMs,
                ["p"] = blob.Period,
                ["c"] = blob.Sealed,
            });
        }
        return new BsonDocument
        {
            ["_id"] = Id,
            ["v"] = Version,
            ["x"] = ExpiresUnixMs,
            ["ev"] = events,
            ["bl"] = blobs,
        };
    }

    /// <summary>
    /// Reads a stored document; throws <see cref="CorruptStoreFileException"/> naming <paramref name="path"/>,
    /// the document and the field when it does not have the stored shape.
    /// </summary>
    public static BucketDocument FromBson(BsonDocument document, string path)
    {
        var id = document.TryGetValue("_id", out var idValue) && idValue.IsString ? idValue.AsString : null;
        if (id is null)
        {
            throw new CorruptStoreFileException(path, "a bucket document has no string \"_id\"");
        }
        var context = $"bucket document \"{id}\"";
        if (!TryParseKey(id, out var key))
        {
            throw new CorruptStoreFileException(path, $"{context}: \"_id\" is not of the form <epoch>/<size>/<bucket-hex>");
        }
        RequireOnly(document, path, context, "_id", "v", "x", "ev", "bl");
        var version = RequireInt64(document, "v", path, context);
        if (version < 1)
        {
            throw new CorruptStoreFileException(path, $"{context}: \"v\" is {version}, expected at least 1");
        }
        var expires = RequireInt64(document, "x", path, context);
        if (!document.TryGetValue("ev", out var eventsValue) || !eventsValue.IsBinary)
        {
            throw new CorruptStoreFileException(path, $"{context}: \"ev\" is missing or not binary");
        }
        var packed = eventsValue.AsBinary;
        if (packed.Length % EventLength != 0)
        {
            throw new CorruptStoreFileException(path, $"{context}: \"ev\" is {packed.Length} bytes, not a multiple of {EventLength}");
        }
        var events = new List<SlotEvent>(packed.Length / EventLength);
        for (var offset = 0; offset < packed.Length; offset += EventLength)
        {
            var span = packed.AsSpan(offset, EventLength);
            events.Add(new SlotEvent(
                BinaryPrimitives.ReadInt32BigEndian(span),
                BinaryPrimitives.ReadInt64BigEndian(span[4..]),
                BinaryPrimitives.ReadInt64BigEndian(span[12..])));
        }
        if (!document.TryGetValue("bl", out var blobsValue) || !blobsValue.IsArray)
        {
            throw new CorruptStoreFileException(path, $"{context}: \"bl\" is missing or not an array");
        }
        var blobs = new List<SealedBlobEntry>(blobsValue.AsArray.Count);
        foreach (var item in blobsValue.AsArray)
        {
            if (!item.IsDocument)
            {
                throw new CorruptStoreFileException(path, $"{context}: an entry of \"bl\" is not a document");
            }
            var blob = item.AsDocument;
            RequireOnly(blob, path, context, "s", "a", "e", "p", "c");
            if (!blob.TryGetValue("s", out var slot) || !slot.IsInt32)
            {
                throw new CorruptStoreFileException(path, $"{context}: \"bl.s\" is missing or not a 32-bit integer");
            }
            if (!blob.TryGetValue("c", out var sealedValue) || !sealedValue.IsBinary)
            {
                throw new CorruptStoreFileException(path, $"{context}: \"bl.c\" is missing or not binary");
            }
            blobs.Add(new SealedBlobEntry(
                slot.AsInt32,
                RequireInt64(blob, "a", path, context, "bl."),
                RequireInt64(blob, "e", path, context, "bl."),
                RequireInt64(blob, "p", path, context, "bl."),
                sealedValue.AsBinary));
        }
        return new BucketDocument(key, version, expires, events, blobs);
    }

    private static bool TryParseKey(string id, out BucketKey key)
    {
        key = default;
        var parts = id.Split('/');
        if (parts.Length != 3
            || !ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || !uint.TryParse(parts[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bucket))
        {
            return false;
        }
        key = new BucketKey(epoch, size, bucket);
        // Only the canonical text form: no leading zeros or upper-case hex that would name the same bucket twice.
        return string.Equals(key.ToString(), id, StringComparison.Ordinal);
    }

    private static long RequireInt64(BsonDocument document, string field, string path, string context, string prefix = "")
    {
        if (!document.TryGetValue(field, out var value) || !value.IsInt64)
        {
            throw new CorruptStoreFileException(path, $"{context}: \"{prefix}{field}\" is missing or not a 64-bit integer");
        }
        return value.AsInt64;
    }

    private static void RequireOnly(BsonDocument document, string path, string context, params string[] fields)
    {
        foreach (var name in document.Keys)
        {
            if (Array.IndexOf(fields, name) < 0)
            {
                throw new CorruptStoreFileException(path, $"{context}: unexpected field \"{name}\"");
            }
        }
    }
}

/// <summary>A live blob as stored: its place and life, the period whose key sealed it, and the sealed bytes.</summary>
internal readonly record struct SealedBlobEntry(int Slot, long StartUnixMs, long EndUnixMs, long Period, byte[] Sealed);
