using System.Text.Json;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// One row of Vectors/hpke/rfc9180-appendix-a.json (RFC 9180 Appendix A, CFRG field names), read
/// strictly: a field the harness does not know, a missing field, or a field present in a mode that does
/// not use it makes loading fail, so that a row is never half-understood.
/// </summary>
internal sealed record HpkeVector(
    int Index,
    string Section,
    int Mode,
    int KemId,
    int KdfId,
    int AeadId,
    byte[] Info,
    byte[] IkmE,
    byte[] PkEm,
    byte[] SkEm,
    byte[] IkmR,
    byte[] PkRm,
    byte[] SkRm,
    byte[]? IkmS,
    byte[]? PkSm,
    byte[]? SkSm,
    byte[] Psk,
    byte[] PskId,
    byte[] Enc,
    byte[] SharedSecret,
    byte[] KeyScheduleContext,
    byte[] Secret,
    byte[] Key,
    byte[] BaseNonce,
    byte[] ExporterSecret,
    IReadOnlyList<HpkeVectorEncryption> Encryptions,
    IReadOnlyList<HpkeVectorExport> Exports)
{
    public const string File = "hpke/rfc9180-appendix-a.json";

    private static readonly HashSet<string> AlwaysPresent =
    [
        "mode", "kem_id", "kdf_id", "aead_id", "info", "ikmE", "pkEm", "skEm", "ikmR", "pkRm", "skRm", "enc",
        "shared_secret", "key_schedule_context", "secret", "key", "base_nonce", "exporter_secret",
        "encryptions", "exports", "_rfc9180_section_suite",
    ];

    private static readonly HashSet<string> AuthOnly = ["ikmS", "pkSm", "skSm"];

    private static readonly HashSet<string> PskOnly = ["psk", "psk_id"];

    public bool IsPskMode => Mode is 1 or 3;

    public bool IsAuthMode => Mode is 2 or 3;

    public override string ToString() => $"#{Index} {Section} mode {Mode}";

    public static IReadOnlyList<HpkeVector> LoadAll()
    {
        using var doc = VectorFiles.ReadJson(File);
        var rows = new List<HpkeVector>();
        var index = 0;
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            rows.Add(Parse(index++, row));
        }

        return rows;
    }

    internal static HpkeVector Parse(int index, JsonElement row)
    {
        var mode = row.GetProperty("mode").GetInt32();
        if (mode is < 0 or > 3)
        {
            throw new InvalidDataException($"row {index}: mode {mode} is not one of RFC 9180 Table 1");
        }

        var expected = new HashSet<string>(AlwaysPresent);
        if (mode is 2 or 3)
        {
            expected.UnionWith(AuthOnly);
        }

        if (mode is 1 or 3)
        {
            expected.UnionWith(PskOnly);
        }

        var present = row.EnumerateObject().Select(p => p.Name).ToHashSet();
        var unknown = present.Except(expected).ToList();
        var missing = expected.Except(present).ToList();
        if (unknown.Count > 0 || missing.Count > 0)
        {
            throw new InvalidDataException(
                $"row {index} (mode {mode}) has a shape the harness does not understand: unexpected [{string.Join(", ", unknown)}], missing [{string.Join(", ", missing)}]");
        }

        byte[] Hex(string name) => Convert.FromHexString(row.GetProperty(name).GetString()!);
        byte[]? OptionalHex(string name) => present.Contains(name) ? Hex(name) : null;

        return new HpkeVector(
            index,
            row.GetProperty("_rfc9180_section_suite").GetString()!,
            mode,
            row.GetProperty("kem_id").GetInt32(),
            row.GetProperty("kdf_id").GetInt32(),
            row.GetProperty("aead_id").GetInt32(),
            Hex("info"),
            Hex("ikmE"),
            Hex("pkEm"),
            Hex("skEm"),
            Hex("ikmR"),
            Hex("pkRm"),
            Hex("skRm"),
            OptionalHex("ikmS"),
            OptionalHex("pkSm"),
            OptionalHex("skSm"),
            OptionalHex("psk") ?? [],
            OptionalHex("psk_id") ?? [],
            Hex("enc"),
            Hex("shared_secret"),
            Hex("key_schedule_context"),
            Hex("secret"),
            Hex("key"),
            Hex("base_nonce"),
            Hex("exporter_secret"),
            row.GetProperty("encryptions").EnumerateArray().Select((e, i) => HpkeVectorEncryption.Parse(index, i, e)).ToList(),
            row.GetProperty("exports").EnumerateArray().Select((e, i) => HpkeVectorExport.Parse(index, i, e)).ToList());
    }
}

internal sealed record HpkeVectorEncryption(ulong SequenceNumber, byte[] Aad, byte[] Pt, byte[] Nonce, byte[] Ct)
{
    public static HpkeVectorEncryption Parse(int row, int index, JsonElement e)
    {
        var names = e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        string[] expected = ["aad", "ct", "nonce", "pt", "sequence_number"];
        if (!names.SequenceEqual(expected))
        {
            throw new InvalidDataException($"row {row} encryption {index}: fields [{string.Join(", ", names)}], expected [{string.Join(", ", expected)}]");
        }

        return new HpkeVectorEncryption(
            e.GetProperty("sequence_number").GetUInt64(),
            Convert.FromHexString(e.GetProperty("aad").GetString()!),
            Convert.FromHexString(e.GetProperty("pt").GetString()!),
            Convert.FromHexString(e.GetProperty("nonce").GetString()!),
            Convert.FromHexString(e.GetProperty("ct").GetString()!));
    }
}

internal sealed record HpkeVectorExport(byte[] ExporterContext, int L, byte[] ExportedValue)
{
    public static HpkeVectorExport Parse(int row, int index, JsonElement e)
    {
        var names = e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        string[] expected = ["exported_value", "exporter_context", "L"];
        if (!names.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)))
        {
            throw new InvalidDataException($"row {row} export {index}: fields [{string.Join(", ", names)}], expected [{string.Join(", ", expected)}]");
        }

        return new HpkeVectorExport(
            Convert.FromHexString(e.GetProperty("exporter_context").GetString()!),
            e.GetProperty("L").GetInt32(),
            Convert.FromHexString(e.GetProperty("exported_value").GetString()!));
    }
}
