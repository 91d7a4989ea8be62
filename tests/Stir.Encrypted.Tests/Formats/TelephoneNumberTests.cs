using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Formats;

public sealed class TelephoneNumberTests
{
    [Fact]
    public void ParseE164_WithLetter_NamesCharacterAndPosition()
    {
        var ex = Assert.Throws<TelephoneNumberFormatException>(() => TelephoneNumber.ParseE164("+1 202 555 01x3"));

        Assert.Equal(13, ex.Position);
        Assert.Contains("position 14", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"x\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"+1 202 555 01x3\"", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("12025550123", "12025550123", true)]
    [InlineData("*67#", "*67#", false)]
    [InlineData("911", "911", true)]
    [InlineData("0800123", "0800123", false)]
    public void ParseCanonical_AcceptsTnSpec(string input, string canonical, bool e164)
    {
        var tn = TelephoneNumber.ParseCanonical(input);

        Assert.Equal(canonical, tn.Value);
        Assert.Equal(e164, tn.IsE164);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("+12025550123", "'+' is dropped")]
    [InlineData("1202-555", "not a canonical number character")]
    [InlineData("1234567890123456", "has 16")]
    [InlineData("12 3", "not a canonical number character")]
    [InlineData("١٢٣", "not a canonical number character")] // Arabic-Indic digits are not ASCII digits
    public void ParseCanonical_RejectsWithReason(string input, string reason)
    {
        var ex = Assert.Throws<TelephoneNumberFormatException>(() => TelephoneNumber.ParseCanonical(input));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseE164_ControlCharacter_IsEscapedInMessage()
    {
        var ex = Assert.Throws<TelephoneNumberFormatException>(() => TelephoneNumber.ParseE164("+1202\n5550123"));

        Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\\u000a", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToEnumDomain_WithCustomApex_UsesIt()
    {
        var tn = TelephoneNumber.ParseE164("+12025550123");

        Assert.Equal("3.2.1.0.5.5.5.2.0.2.1.enum.example.net.", tn.ToEnumDomain("enum.example.net."));
    }

    [Fact]
    public void ToEnumDomain_NonE164_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => TelephoneNumber.ParseCanonical("*67#").ToEnumDomain());
    }

    [Fact]
    public void RoundTrip_RandomNumbers_ParseOfFormatIsIdentity()
    {
        var random = new Random(8224);
        for (var i = 0; i < 2000; i++)
        {
            var length = random.Next(1, TelephoneNumber.MaxLength + 1);
            var chars = new char[length];
            for (var j = 0; j < length; j++)
            {
                chars[j] = (char)('0' + random.Next(j == 0 ? 1 : 0, 10));
            }

            var tn = TelephoneNumber.ParseCanonical(new string(chars));

            Assert.Equal(tn, TelephoneNumber.ParseE164(tn.ToE164()));
            Assert.Equal(tn, TelephoneNumber.ParseCanonical(tn.ToString()));
            Assert.Equal(tn, TelephoneNumber.ParseE164(Decorate(tn.ToE164(), random)));
        }
    }

    [Theory]
    [InlineData("12025550100", 100, "12025550100", true)]
    [InlineData("12025550100", 100, "12025550199", true)]
    [InlineData("12025550100", 100, "12025550200", false)]
    [InlineData("12025550100", 100, "12025550099", false)]
    [InlineData("12025550100", 100, "1202555010", false)]
    [InlineData("1202", 10000000, "9999", true)]
    [InlineData("1202", 10000000, "12020000", false)] // no carry into longer numbers
    [InlineData("1202", 10000000, "1201", false)]
    public void Range_Contains_UsesSameLengthReading(string start, long count, string number, bool expected)
    {
        var range = new TelephoneNumberRange(TelephoneNumber.ParseCanonical(start), count);

        Assert.Equal(expected, range.Contains(TelephoneNumber.ParseCanonical(number)));
    }

    [Fact]
    public void Range_ParseOfToString_IsIdentity()
    {
        var range = new TelephoneNumberRange(TelephoneNumber.ParseCanonical("12025550100"), 100);

        Assert.Equal(range, TelephoneNumberRange.Parse(range.ToString()));
        Assert.Equal("12025550199", range.Last!.Value);
    }

    [Theory]
    [InlineData("12025550100", "start+count")]
    [InlineData("12025550100+1", "below 2")]
    [InlineData("12025550100+x", "not a whole number")]
    [InlineData("+12025550100+5", "start+count")]
    public void Range_Parse_RejectsWithReason(string input, string reason)
    {
        var ex = Assert.Throws<TelephoneNumberFormatException>(() => TelephoneNumberRange.Parse(input));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    private static string Decorate(string e164, Random random)
    {
        var separators = new[] { " ", "-", ".", "(", ")", string.Empty };
        var sb = new System.Text.StringBuilder(random.Next(2) == 0 ? "tel:+" : "+");
        foreach (var c in e164[1..])
        {
            sb.Append(c).Append(separators[random.Next(separators.Length)]);
        }

        return sb.ToString();
    }
}
