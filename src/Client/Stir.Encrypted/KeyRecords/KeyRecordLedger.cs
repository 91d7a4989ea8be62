using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// What a client has seen of each (holder, rid): the highest seq, the hash of that entry, and whether it was a
/// revocation. It turns a directory's lies about time into verdicts (spec/protocol.md §10 "Client ledger"):
/// an entry with a lower seq than seen is a <see cref="KeyRecordFailure.Rollback"/> (or
/// <see cref="KeyRecordFailure.Revoked"/> when what was seen is a revocation), and a different entry with the
/// same seq is an <see cref="KeyRecordFailure.Equivocation"/>, reported with both hashes.
/// </summary>
/// <remarks>
/// Only verified entries are observed, so a directory cannot poison the ledger with entries nobody signed. The
/// file (JSON, written by atomic replace: a temporary file, flushed, renamed over the old one) holds holders,
/// rids, seqs and hashes, never numbers or keys. Thread-safe.
/// </remarks>
public sealed class KeyRecordLedger
{
    // 2: hashes of what was signed (KeyRecord.Hash). Format 1 held hashes of the whole token, which a record's
    // second ECDSA spelling does not share; its entries are read as "seq seen, hash unknown" (see Observe).
    private const int FormatVersion = 2;
    private const int LegacyFormatVersion = 1;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _dirty;

    private KeyRecordLedger(string? path)
    {
        Path = path;
    }

    /// <summary>The file the ledger is saved to; null for an in-memory ledger.</summary>
    public string? Path { get; }

    /// <summary>How many (holder, rid) the ledger knows.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>A ledger that lives only as long as the process.</summary>
    public static KeyRecordLedger InMemory() => new(null);

    /// <summary>Opens the ledger file at <paramref name="path"/>, or starts an empty one there when it does not exist.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="KeyRecordLedgerFormatException">The file is not a ledger.</exception>
    public static KeyRecordLedger Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var ledger = new KeyRecordLedger(System.IO.Path.GetFullPath(path));
        if (File.Exists(ledger.Path))
        {
            ledger.Load(File.ReadAllBytes(ledger.Path));
        }

        return ledger;
    }

    /// <summary>
    /// Checks a verdict against what was seen and records the entry when it is new or newer. A verdict that is
    /// not valid is returned as it is and changes nothing.
    /// </summary>
    public KeyRecordVerdict Observe(KeyRecordVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (!verdict.IsValid)
        {
            return verdict;
        }

        var record = verdict.Record;
        lock (_lock)
        {
            if (_entries.TryGetValue(record.EntryKey, out var seen))
            {
                if (record.Seq < seen.Seq)
                {
                    return seen.Revoked
                        ? KeyRecordVerdict.Ledger(KeyRecordFailure.Revoked, $"rid {record.Rid} of this holder was revoked at seq {seen.Seq}; this entry has seq {record.Seq}", record, seen.Seq, seen.Hash ?? "(not recorded)")
                        : KeyRecordVerdict.Ledger(KeyRecordFailure.Rollback, $"rollback: seq {record.Seq} of rid {record.Rid} is lower than seq {seen.Seq} seen before", record, seen.Seq, seen.Hash ?? "(not recorded)");
                }

                if (record.Seq == seen.Seq)
                {
                    if (seen.Hash is null)
                    {
                        // A format-1 entry: its token hash cannot be compared with a signed-content hash. The first
                        // verified entry at that seq is pinned from now on (rollback was still checked above).
                        _entries[record.EntryKey] = seen with { Hash = record.Hash };
                        _dirty = true;
                        return verdict;
                    }

                    return record.Hash == seen.Hash
                        ? verdict
                        : KeyRecordVerdict.Ledger(KeyRecordFailure.Equivocation, $"equivocation: seq {record.Seq} of rid {record.Rid} was seen as {seen.Hash} and is now {record.Hash}", record, seen.Seq, seen.Hash);
                }
            }

            _entries[record.EntryKey] = new Entry(record.Holder, record.Rid, record.Seq, record.Hash, record.Kind == KeyRecordKind.Revocation);
            _dirty = true;
            return verdict;
        }
    }

    /// <summary>The seq and hash seen for (holder, rid), if any.</summary>
    public (long Seq, string? Hash, bool Revoked)? Find(string holder, string rid)
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(rid);
        lock (_lock)
        {
            return _entries.TryGetValue(KeyRecord.EntryKeyOf(holder, rid), out var e) ? (e.Seq, e.Hash, e.Revoked) : null;
        }
    }

    /// <summary>Writes the ledger to <see cref="Path"/> by atomic replace when it changed; nothing for an in-memory ledger.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save()
    {
        byte[] bytes;
        lock (_lock)
        {
            if (Path is null || !_dirty)
            {
                return;
            }

            bytes = Serialize();
            _dirty = false;
        }

        AtomicFile.Write(Path, bytes, ownerOnly: true);
    }

    private byte[] Serialize()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", FormatVersion);
            writer.WriteStartArray("entries");
            foreach (var e in _entries.Values.OrderBy(e => e.Holder, StringComparer.Ordinal).ThenBy(e => e.Rid, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("holder", e.Holder);
                writer.WriteString("rid", e.Rid);
                writer.WriteNumber("seq", e.Seq);
                if (e.Hash is null)
                {
                    writer.WriteNull("hash");
                }
                else
                {
                    writer.WriteString("hash", e.Hash);
                }
                writer.WriteString("kind", e.Revoked ? "revocation" : "record");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void Load(byte[] bytes)
    {
        var path = Path!;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new KeyRecordLedgerFormatException(path, $"not JSON: {e.Message}");
        }

        if (root is not JsonObject obj || obj["format"]?.GetValueKind() != JsonValueKind.Number || (int)obj["format"]! is not (FormatVersion or LegacyFormatVersion) || obj["entries"] is not JsonArray entries)
        {
            throw new KeyRecordLedgerFormatException(path, $"expected {{\"format\": {FormatVersion}, \"entries\": [...]}}");
        }

        var legacy = (int)obj["format"]! == LegacyFormatVersion;
        _dirty = legacy; // rewritten in format 2 at the next save

        var index = 0;
        foreach (var item in entries)
        {
            var where = $"entries[{index++}]";
            try
            {
                var holder = (string)item!["holder"]!;
                var rid = (string)item["rid"]!;
                var seq = (long)item["seq"]!;
                var hash = item["hash"] is null && !legacy ? null : (string)item["hash"]!;
                var kind = (string)item["kind"]!;
                if (kind is not ("record" or "revocation") || seq < 1 || holder.Length != KeyRecordHolder.Length || (hash is not null && hash.Length != KeyRecordHolder.Length) || rid.Length is 0 or > KeyRecord.MaxRidLength)
                {
                    throw new KeyRecordLedgerFormatException(path, $"{where}: a value is out of range");
                }

                if (!_entries.TryAdd(KeyRecord.EntryKeyOf(holder, rid), new Entry(holder, rid, seq, legacy ? null : hash, kind == "revocation")))
                {
                    throw new KeyRecordLedgerFormatException(path, $"{where}: holder and rid are listed twice");
                }
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException or InvalidCastException)
            {
                if (e is KeyRecordLedgerFormatException)
                {
                    throw;
                }

                throw new KeyRecordLedgerFormatException(path, $"{where}: expected {{\"holder\", \"rid\", \"seq\", \"hash\", \"kind\"}} ({e.Message})");
            }
        }
    }

    // Hash null: a format-1 entry whose hash was of the token (unknown in today's terms) until it is seen again.
    private sealed record Entry(string Holder, string Rid, long Seq, string? Hash, bool Revoked);
}
