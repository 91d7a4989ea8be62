using Stir.Encrypted.Discovery;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>The NAPTR Regexp field (RFC 3402 §3.2 with the ENUM client rules of RFC 6116 §5.2).</summary>
public sealed class EnumSubstitutionExpressionTests
{
    private const string Aus = "+441632960083";

    [Theory]
    [InlineData(@"!^(\+441632960083)$!sip:\1@example.com!", "sip:+441632960083@example.com")]
    [InlineData(@"!^.*$!mailto:info@example.com!", "mailto:info@example.com")]
    [InlineData(@"/^\+44(.*)$/tel:+44-\1/", "tel:+44-1632960083")]
    [InlineData(@"#^\+(44)(1632)(.*)$#sip:\3.\2.\1@x#", "sip:960083.1632.44@x")]
    [InlineData(@"|^\+1(202)(.*)$|x|i", null)]
    [InlineData(@"!^.*$!https://cps.example.net/a\!b/!", "https://cps.example.net/a!b/")]
    [InlineData(@"x^.*$xsip:a\xbx", "sip:axb")]
    [InlineData(@"!^(\+)(4)(4)(1)(6)(3)(2)(9)(6)(0083)$!\9\8\7\6\5\4\3\2\1!", "69236144+")]
    [InlineData(@"!^(a)?(\+44).*$!x\1y\2!", "xy+44")] // a group that did not take part gives the empty string
    [InlineData(@"!^.*$!a\\b!", @"a\b")]
    [InlineData(@"!0083$!X!", "+44163296X")] // sed-like: only the matched part is replaced
    [InlineData(@"!^\+441632960083$!sip:info@example.com!ii", "sip:info@example.com")]
    public void TryApply_GivesTheRuleOutput(string field, string? expected)
    {
        Assert.True(SubstitutionExpression.TryParse(field, out var expression, out var error), error);

        var matched = expression.TryApply(Aus, out var output, out var applyError);

        Assert.Null(applyError);
        Assert.Equal(expected is not null, matched);
        Assert.Equal(expected, output);
    }

    [Theory]
    [InlineData("", "a terminal rule needs a non-empty Regexp field")]
    [InlineData("!^.*$!sip:x", "has 2 unescaped '!' delimiters, not 3")]
    [InlineData("!^.*$", "has 1 unescaped '!' delimiter, not 3")]
    [InlineData("!", "has 1 unescaped '!' delimiter, not 3")]
    [InlineData("!^.*$!sip:x!!", "more than 3 unescaped '!' delimiters")]
    [InlineData("!^.*$!sip:a!b!", "more than 3 unescaped '!' delimiters")]
    [InlineData("1^.*$1sip:x1", "'1' cannot be the delimiter")]
    [InlineData("i^.*$isip:xi", "'i' cannot be the delimiter")]
    [InlineData(@"\^.*$\sip:x\", @"'\' cannot be the delimiter")]
    [InlineData("!^.*$!sip:x!g", "'g' after the last delimiter is not a flag")]
    [InlineData(@"!^.*$!sip:\1!", @"refers to group \1 but the ERE has 0 groups")]
    [InlineData(@"!^(.)(.)$!\3!", @"refers to group \3 but the ERE has 2 groups")]
    [InlineData(@"!^.*$!sip:\0!", @"'\0' in the repl is neither a backreference")]
    [InlineData(@"!^.*$!sip:\n!", @"'\n' in the repl is neither a backreference")]
    [InlineData(@"!^\d$!x!", @"ERE: '\d' at position 2 is not POSIX ERE")]
    [InlineData(@"!(?=x)!x!", "ERE: '?' at position 2 has nothing to repeat")]
    [InlineData(@"!!x!", "ERE: the ERE is empty")]
    public void TryParse_Malformed_NamesTheRule(string field, string expected)
    {
        Assert.False(SubstitutionExpression.TryParse(field, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_DelimiterNeedNotBeLast_FlagsMayFollow()
    {
        Assert.True(SubstitutionExpression.TryParse("!^.*$!sip:x!i", out var expression, out _));
        Assert.True(expression.IgnoreCase);
        Assert.Equal('!', expression.Delimiter);
    }

    [Fact]
    public void TryApply_ManyBackreferences_OutputIsBounded()
    {
        // 246 characters of repl, all backrefs to the whole AUS: 123 × 13 = 1599 characters, within the bound.
        var within = "!^(.*)$!" + string.Concat(Enumerable.Repeat(@"\1", 123)) + "!";
        Assert.True(SubstitutionExpression.TryParse(within, out var expression, out _));
        Assert.True(expression.TryApply(Aus, out var output, out _));
        Assert.Equal(123 * Aus.Length, output!.Length);

        // A 16-character AUS (the longest E.164) gives 1968; a longer input string pushes past 2048: refused, rule named.
        Assert.True(expression.TryApply("+123456789012345", out output, out _));
        Assert.Equal(1968, output!.Length);
        Assert.False(expression.TryApply("+1234567890123456789", out _, out var error));
        Assert.Contains("exceeds 2048 characters", error, StringComparison.Ordinal);
    }
}
