using System.Globalization;
using System.Text;
using Stir.Encrypted.DirectoryService.Storage;
using Stir.Encrypted.Jose;
using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.DirectoryService.Endpoints;

/// <summary>
/// The JSON documents the directory serves (spec/protocol.md §10), in canonical form (members sorted, no
/// whitespace), so that the same state always gives the same bytes: snapshots and their ETags are a function of
/// the version, and a bucketed answer's padding is computed exactly.
/// </summary>
internal static class DirectoryDocuments
{
    public const string Json = "application/json";

    /// <summary><c>{"records":[...]}</c>.</summary>
    public static byte[] Records(IEnumerable<string> tokens)
    {
        var writer = new CanonicalJsonWriter();
        writer.WriteObject([new("records", w => w.WriteArray(tokens, (w2, t) => w2.WriteString(t)))]);
        return writer.ToArray();
    }

    /// <summary><c>{"entries":[...],"version":v}</c>: every current entry, ordered by (holder, rid).</summary>
    public static byte[] Snapshot(StoreSnapshot snapshot)
    {
        var writer = new CanonicalJsonWriter();
        writer.WriteObject(
        [
            new("entries", w => w.WriteArray(snapshot.Entries, (w2, e) => w2.WriteString(e.Token))),
            new("version", w => w.WriteInteger(snapshot.Version)),
        ]);
        return writer.ToArray();
    }

    /// <summary><c>{"changes":[{"entry":..,"version":n},...],"latest":L,"since":s,"version":w}</c>.</summary>
    public static byte[] Changes(long since, ChangePage page)
    {
        var through = page.Changes.Count > 0 ? page.Changes[^1].Version : since;
        var writer = new CanonicalJsonWriter();
        writer.WriteObject(
        [
            new("changes", w => w.WriteArray(page.Changes, (w2, c) => w2.WriteObject(
            [
                new("entry", w3 => w3.WriteString(c.Token)),
                new("version", w3 => w3.WriteInteger(c.Version)),
            ]))),
            new("latest", w => w.WriteInteger(page.Latest)),
            new("since", w => w.WriteInteger(since)),
            new("version", w => w.WriteInteger(through)),
        ]);
        return writer.ToArray();
    }

    /// <summary>
    /// <c>{"bucket":..,"records":[...],"truncated":bool,"version":v}</c> followed by spaces up to exactly
    /// <paramref name="size"/> bytes. Records are taken in (holder, rid) order while they fit; when one does not,
    /// the rest are left out and <c>truncated</c> is true (spec §10: the client then syncs the snapshot).
    /// </summary>
    public static byte[] Bucket(string bucket, IReadOnlyList<string> tokens, long version, int size)
    {
        var head = $"{{\"bucket\":\"{bucket}\",\"records\":[";
        string Tail(bool truncated) => $"],\"truncated\":{(truncated ? "true" : "false")},\"version\":{version.ToString(CultureInfo.InvariantCulture)}}}";
        var budget = size - head.Length - Tail(truncated: false).Length;
        var taken = 0;
        var used = 0;
        foreach (var token in tokens)
        {
            var cost = token.Length + 2 + (taken > 0 ? 1 : 0);
            if (used + cost > budget)
            {
                break;
            }

            used += cost;
            taken++;
        }

        var sb = new StringBuilder(size).Append(head);
        for (var i = 0; i < taken; i++)
        {
            sb.Append(i > 0 ? ",\"" : "\"").Append(tokens[i]).Append('"');
        }

        sb.Append(Tail(truncated: taken < tokens.Count));
        if (sb.Length > size)
        {
            throw new InvalidOperationException($"a bucket answer of {size} bytes cannot hold even its empty form ({sb.Length} bytes)");
        }

        return Encoding.ASCII.GetBytes(sb.Append(' ', size - sb.Length).ToString());
    }

    /// <summary>The publication receipt: <c>{"holder":..,"kind":..,"rid":..,"seq":n,"version":v}</c>.</summary>
    public static byte[] Receipt(KeyRecord record, long version)
    {
        var writer = new CanonicalJsonWriter();
        writer.WriteObject(
        [
            new("holder", w => w.WriteString(record.Holder)),
            new("kind", w => w.WriteString(record.Kind == KeyRecordKind.Record ? "record" : "revocation")),
            new("rid", w => w.WriteString(record.Rid)),
            new("seq", w => w.WriteInteger(record.Seq)),
            new("version", w => w.WriteInteger(version)),
        ]);
        return writer.ToArray();
    }
}
