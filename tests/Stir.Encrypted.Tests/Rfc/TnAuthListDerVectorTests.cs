using System.Text.Json;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>
/// certs/tnauthlist-der-vectors.json: 29 raw TNAuthList values (RFC 8226 §9) from pyasn1-modules,
/// PeculiarVentures, zlint, production certificates, libstirshaken and edge cases. Each decodes to exactly
/// the listed entries, or is rejected with a message naming the vector's rule.
/// </summary>
public sealed class TnAuthListDerVectorTests
{
    private const string File = "certs/tnauthlist-der-vectors.json";

    public static TheoryData<string> Ids()
    {
        using var doc = VectorFiles.ReadJson(File);
        var data = new TheoryData<string>();
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            data.Add(row.GetProperty("id").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Vectors_All29ArePresent()
    {
        Assert.Equal(29, Ids().Count);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Decode_GivesTheVectorOutcome(string id)
    {
        using var doc = VectorFiles.ReadJson(File);
        var row = doc.RootElement.EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
        var der = Convert.FromHexString(row.GetProperty("der_hex").GetString()!);
        var expected = row.GetProperty("expected");

        var ok = TNAuthList.TryDecode(der, out var list, out var error);

        Assert.Equal(expected.GetProperty("ok").GetBoolean(), ok);
        if (ok)
        {
            Assert.Equal(TnAuthListExpectation.Entries(expected.GetProperty("entries")), TnAuthListExpectation.Entries(list!));
            Assert.Equal(
                expected.GetProperty("atis_1000080_errors").EnumerateArray().Select(e => e.GetString()!),
                list!.GetAtisFindings());
        }
        else
        {
            TnAuthListExpectation.AssertSameRule(expected.GetProperty("error").GetString()!, error!.Message);
        }
    }

    [Fact]
    public void RangeWithExtensionComponent_IsAcceptedAndTheAdditionDropped()
    {
        // The normative module has '...' after count (pyasn1-modules does not): we accept and skip it.
        var der = Convert.FromHexString("3019a1173015160b31323032353535303130300201640c0378797a");

        var list = TNAuthList.Decode(der);

        Assert.Equal("range 12025550100+100", Assert.Single(list.Entries).ToString());
        Assert.Equal("3014a1123010160b3132303235353530313030020164", Convert.ToHexString(list.Encode()).ToLowerInvariant());
    }

    [Fact]
    public void RangeCountLarge_DecodesButIsFlaggedAndCoversOnlyTheSameLength()
    {
        var list = TNAuthList.Decode(Convert.FromHexString("3010a10e300c160431323032020400989680"));

        Assert.Contains("would increase the number length", Assert.Single(list.GetRangeFindings()), StringComparison.Ordinal);
        Assert.True(list.Covers(Telephony.TelephoneNumber.ParseCanonical("9999"), null, out _));
        Assert.False(list.Covers(Telephony.TelephoneNumber.ParseCanonical("12020000"), null, out _));
    }
}

/// <summary>How the certificate vectors express an expected decoding, and how their error texts map to ours.</summary>
internal static class TnAuthListExpectation
{
    // Each vector error names an element and a rule; our message must name the same, in our words where
    // they differ. An error the table does not know fails the test: a new vector needs a decision here.
    private static readonly (System.Text.RegularExpressions.Regex Vector, Func<System.Text.RegularExpressions.Match, string[]> Ours)[] Rules =
    [
        (new(@"^TNAuthorizationList: SEQUENCE SIZE \(1\.\.MAX\) violated \(empty\)$"), _ => ["TNAuthorizationList: SEQUENCE SIZE (1..MAX) violated (empty)"]),
        (new(@"^TNAuthorizationList: expected SEQUENCE \(0x30\), got 0x([0-9a-f]{2})$"), m => [$"TNAuthorizationList: expected SEQUENCE (0x30), got 0x{m.Groups[1].Value}"]),
        (new(@"^TNEntry: unexpected tag 0x([0-9a-f]{2}) \(expected A0/A1/A2 explicit tags\)$"), m => ["TNEntry #", $"unexpected tag 0x{m.Groups[1].Value} (expected A0/A1/A2 explicit tags"]),
        (new(@"^truncated: value needs (\d+) bytes, (\d+) left$"), m => [$"truncated: value needs {m.Groups[1].Value} bytes, {m.Groups[2].Value} left"]),
        (new(@"^range\.count (-?\d+) violates INTEGER \(2\.\.MAX\)$"), m => ["range.count", $"{m.Groups[1].Value} violates INTEGER (2..MAX)"]),
        (new(@"^range\.count: non-minimal INTEGER$"), _ => ["range.count: non-minimal INTEGER"]),
        (new(@"^(one|spc): TelephoneNumber '(.*)' violates SIZE\(1\.\.15\) FROM\(""0123456789#\*""\)$"), m => [$"{m.Groups[1].Value}: TelephoneNumber '{m.Groups[2].Value}' violates SIZE(1..15) FROM(\"0123456789#*\")"]),
        (new(@"^non-minimal length encoding$"), _ => ["non-minimal length encoding"]),
        (new(@"^indefinite length is not DER$"), _ => ["indefinite length is not DER"]),
        (new(@"^trailing bytes after TNAuthorizationList$"), _ => ["trailing bytes after TNAuthorizationList"]),
        (new(@"^(spc|one): expected IA5String \(0x16\), got tag 0x([0-9a-f]{2})$"), m => [$"{m.Groups[1].Value}: expected IA5String (0x16), got tag 0x{m.Groups[2].Value}"]),
        (new(@"^(spc|one): non-ASCII byte in IA5String$"), m => [$"{m.Groups[1].Value}: non-ASCII byte", "in IA5String"]),
    ];

    public static void AssertSameRule(string vectorError, string ourMessage)
    {
        foreach (var (vector, ours) in Rules)
        {
            var match = vector.Match(vectorError);
            if (match.Success)
            {
                foreach (var phrase in ours(match))
                {
                    Assert.Contains(phrase, ourMessage, StringComparison.Ordinal);
                }

                return;
            }
        }

        Assert.Fail($"vector error not understood by the harness: {vectorError} (ours: {ourMessage})");
    }

    public static IReadOnlyList<string> Entries(JsonElement entries) =>
        [.. entries.EnumerateArray().Select(e =>
        {
            var property = Assert.Single(e.EnumerateObject());
            return property.Name switch
            {
                "spc" => $"spc:{property.Value.GetString()}",
                "one" => $"one:{property.Value.GetString()}",
                "range" => $"range:{property.Value.GetProperty("start").GetString()}+{property.Value.GetProperty("count").GetInt64()}",
                _ => throw new InvalidOperationException($"vector entry kind not understood by the harness: {property.Name}"),
            };
        })];

    public static IReadOnlyList<string> Entries(TNAuthList list) =>
        [.. list.Entries.Select(e => e switch
        {
            TNEntry.Spc spc => $"spc:{spc.Code.Value}",
            TNEntry.One one => $"one:{one.Number.Value}",
            TNEntry.Range range => $"range:{range.Value.Start.Value}+{range.Value.Count}",
            _ => throw new InvalidOperationException("unknown entry kind"),
        })];
}
