using System.Text.Json;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// One row of enum/enum-cases.json "naptr_processing", loaded strictly: a field the harness does not know
/// fails the load instead of being ignored.
/// </summary>
internal sealed record EnumNaptrVectorCase(
    string Id,
    string Aus,
    string QueryDomain,
    string? Want,
    IReadOnlyList<NaptrRecord> Records,
    IReadOnlyList<EnumNaptrExpectedUri> ExpectedUris,
    string? ExpectedNextDomain)
{
    private static readonly HashSet<string> CaseFields = ["id", "source", "note", "aus", "want", "records", "query_domain", "expected"];
    private static readonly HashSet<string> RecordFields = ["order", "preference", "flags", "services", "regexp", "replacement"];
    private static readonly HashSet<string> ExpectedFields = ["uris_in_order", "next_domain"];
    private static readonly HashSet<string> UriFields = ["enumservice", "uri", "order", "preference"];

    public static IReadOnlyList<EnumNaptrVectorCase> LoadAll()
    {
        using var doc = VectorFiles.ReadJson("enum/enum-cases.json");
        return doc.RootElement.GetProperty("naptr_processing").EnumerateArray().Select(Parse).ToList();
    }

    public static EnumNaptrVectorCase Load(string id) => LoadAll().Single(c => c.Id == id);

    public Func<string, bool>? Wants => Want is null ? null : s => string.Equals(s, Want, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Id;

    private static EnumNaptrVectorCase Parse(JsonElement row)
    {
        Known(row, CaseFields, "case");
        var id = row.GetProperty("id").GetString()!;
        var records = row.GetProperty("records").EnumerateArray().Select(r =>
        {
            Known(r, RecordFields, $"{id} record");
            return new NaptrRecord(
                checked((ushort)r.GetProperty("order").GetInt32()),
                checked((ushort)r.GetProperty("preference").GetInt32()),
                r.GetProperty("flags").GetString()!,
                r.GetProperty("services").GetString()!,
                r.GetProperty("regexp").GetString()!,
                r.GetProperty("replacement").GetString()!);
        }).ToList();
        var expected = row.GetProperty("expected");
        Known(expected, ExpectedFields, $"{id} expected");
        var uris = expected.GetProperty("uris_in_order").EnumerateArray().Select(u =>
        {
            Known(u, UriFields, $"{id} expected uri");
            return new EnumNaptrExpectedUri(u.GetProperty("enumservice").GetString()!, u.GetProperty("uri").GetString()!, u.GetProperty("order").GetInt32(), u.GetProperty("preference").GetInt32());
        }).ToList();
        var next = expected.GetProperty("next_domain");
        return new EnumNaptrVectorCase(
            id,
            row.GetProperty("aus").GetString()!,
            row.GetProperty("query_domain").GetString()!,
            row.TryGetProperty("want", out var want) ? want.GetString() : null,
            records,
            uris,
            next.ValueKind == JsonValueKind.Null ? null : next.GetString());
    }

    private static void Known(JsonElement element, HashSet<string> fields, string what)
    {
        foreach (var p in element.EnumerateObject())
        {
            if (!fields.Contains(p.Name))
            {
                throw new InvalidOperationException($"enum-cases.json {what}: field \"{p.Name}\" is not understood by the harness");
            }
        }
    }
}

internal sealed record EnumNaptrExpectedUri(string Enumservice, string Uri, int Order, int Preference);
