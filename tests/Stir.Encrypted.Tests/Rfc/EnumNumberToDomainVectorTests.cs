using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Rfc;

/// <summary>enum/enum-cases.json "number_to_domain": RFC 6116 §3.1–3.2, every row.</summary>
public sealed class EnumNumberToDomainVectorTests
{
    public static TheoryData<string> Inputs()
    {
        using var doc = VectorFiles.ReadJson("enum/enum-cases.json");
        var data = new TheoryData<string>();
        foreach (var row in doc.RootElement.GetProperty("number_to_domain").EnumerateArray())
        {
            data.Add(row.GetProperty("input").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Vectors_AllSeventeenRowsArePresent()
    {
        Assert.Equal(17, Inputs().Count);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void ParseE164_GivesTheVectorOutcome(string input)
    {
        using var doc = VectorFiles.ReadJson("enum/enum-cases.json");
        var row = doc.RootElement.GetProperty("number_to_domain").EnumerateArray()
            .Single(r => r.GetProperty("input").GetString() == input);
        var valid = row.GetProperty("valid").GetBoolean();

        var ok = TelephoneNumber.TryParseE164(input, out var number, out var error);

        Assert.Equal(valid, ok);
        if (valid)
        {
            Assert.Equal(row.GetProperty("aus").GetString(), number!.ToE164());
            Assert.Equal(row.GetProperty("domain").GetString(), number.ToEnumDomain());
        }
        else
        {
            // The vector's error names the rule; ours must name the same rule (not just "invalid").
            var expected = row.GetProperty("error").GetString()!;
            var key = expected switch
            {
                _ when expected.Contains("missing leading '+'", StringComparison.Ordinal) => "missing leading '+'",
                _ when expected.Contains("1..15 digits", StringComparison.Ordinal) => "1..15 digits",
                _ when expected.Contains("country code", StringComparison.Ordinal) => "country code cannot start with 0",
                _ when expected.Contains("characters other than digits", StringComparison.Ordinal) => "unexpected character",
                _ => throw new InvalidOperationException($"vector error not understood by the harness: {expected}"),
            };
            Assert.Contains(key, error!.Message, StringComparison.Ordinal);
        }
    }
}
