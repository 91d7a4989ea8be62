using Stir.Encrypted.Discovery;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>POSIX ERE → .NET NonBacktracking: what ERE means is kept, what is not ERE is refused by name.</summary>
public sealed class EnumPosixEreTests
{
    [Theory]
    [InlineData(@"^\+441632960083$", "+441632960083", true)]
    [InlineData(@"^\+441632960083$", "+4416329600834", false)]
    [InlineData(@"^\+441632960083$", "+441632960083\n", false)] // POSIX '$' is the end, not "before a final newline"
    [InlineData(@"^.*$", "+12025550123", true)]
    [InlineData(@"^\+1[2-9][0-9]{2}5550[0-9]{3}$", "+12025550123", true)]
    [InlineData(@"^\+1[2-9][0-9]{2}5550[0-9]{3}$", "+11025550123", false)]
    [InlineData(@"^\+(1|44)[[:digit:]]+$", "+442079460148", true)]
    [InlineData(@"^\+[^0][[:digit:]]{1,14}$", "+12025550123", true)]
    [InlineData(@"^\+[^0][[:digit:]]{1,14}$", "+02025550123", false)]
    [InlineData(@"^[\]+$", @"\\\", true)] // inside brackets a backslash is an ordinary character in POSIX
    [InlineData(@"^[]a]+$", "]a]", true)] // ']' first in a bracket is a member
    [InlineData(@"^[a-]+$", "a-a", true)] // '-' last is a member
    [InlineData(@"^a{2,}$", "aaaa", true)]
    [InlineData(@"^a{2,}$", "a", false)]
    [InlineData(@"^(ab)?c$", "c", true)]
    [InlineData(@"x}y", "x}y", true)] // a lone '}' is ordinary
    [InlineData(@"^\.$", ".", true)]
    [InlineData(@"^\.$", "a", false)]
    [InlineData(@"^[[:alpha:][:punct:]]+$", "a+!", true)]
    public void TryCompile_ValidEre_MatchesAsPosixSays(string ere, string input, bool matches)
    {
        Assert.True(PosixEre.TryCompile(ere, '!', ignoreCase: false, out var regex, out var error), error);
        Assert.Equal(matches, regex.IsMatch(input));
    }

    [Fact]
    public void TryCompile_EscapedDelimiter_IsTheDelimiterCharacter()
    {
        Assert.True(PosixEre.TryCompile(@"^a\|b$", '|', ignoreCase: false, out var regex, out _));
        Assert.Matches(regex, "a|b");
        Assert.True(PosixEre.TryCompile(@"^[\x]$", 'x', ignoreCase: false, out regex, out _));
        Assert.Matches(regex, "x");
        Assert.DoesNotMatch(regex, "\\");
    }

    [Fact]
    public void TryCompile_IgnoreCase_FoldsCase()
    {
        Assert.True(PosixEre.TryCompile("^abc$", '!', ignoreCase: true, out var regex, out _));
        Assert.Matches(regex, "ABC");
    }

    [Theory]
    [InlineData(@"^\d+$", @"'\d' at position 2 is not POSIX ERE")]
    [InlineData(@"^\w$", @"'\w' at position 2 is not POSIX ERE")]
    [InlineData(@"(a)\1", @"'\1' at position 4 is not POSIX ERE")]
    [InlineData(@"\bfoo", @"'\b' at position 1 is not POSIX ERE")]
    [InlineData(@"(?=a)", "'?' at position 2 has nothing to repeat")]
    [InlineData(@"(?<n>a)", "'?' at position 2 has nothing to repeat")]
    [InlineData(@"a*?", "two repetition operators in a row are not POSIX ERE")]
    [InlineData(@"a+*", "two repetition operators in a row are not POSIX ERE")]
    [InlineData(@"a{2}{3}", "two repetition operators in a row are not POSIX ERE")]
    [InlineData(@"*a", "'*' at position 1 has nothing to repeat")]
    [InlineData(@"^*", "'*' at position 2 has nothing to repeat")]
    [InlineData(@"a|*b", "'*' at position 3 has nothing to repeat")]
    [InlineData(@"a{x}", "does not start an interval")]
    [InlineData(@"a{2", "is not closed by '}'")]
    [InlineData(@"a{3,2}", "has its maximum 2 below its minimum 3")]
    [InlineData(@"a{256}", "exceeds RE_DUP_MAX (255)")]
    [InlineData(@"(a{255}){255}", "expands to more than 1024 positions")]
    [InlineData(@"((((a{10}){10}){10}){10})", "expands to more than 1024 positions")]
    [InlineData(@"[abc", "is not closed by ']'")]
    [InlineData(@"[z-a]", "the range 'z-a' at position 2 is reversed")]
    [InlineData(@"[[:digits:]]", "'[:digits:]' at position 2 is not a POSIX character class")]
    [InlineData(@"[[=a=]]", "collating symbols and equivalence classes are not supported")]
    [InlineData(@"[[.a.]]", "collating symbols and equivalence classes are not supported")]
    [InlineData(@"(ab", "1 '(' not closed")]
    [InlineData(@"ab)", "')' at position 3 closes no group")]
    [InlineData(@"ab\", "ends the ERE and quotes nothing")]
    [InlineData(@"", "the ERE is empty")]
    public void TryCompile_NotPosixEre_NamesTheConstruct(string ere, string expected)
    {
        Assert.False(PosixEre.TryCompile(ere, '!', ignoreCase: false, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_LongerThanACharacterString_IsRefused()
    {
        Assert.False(PosixEre.TryCompile(new string('a', 256), '!', ignoreCase: false, out _, out var error));
        Assert.Contains("256 characters (limit 255)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_NestedGroupsBeyondLimit_IsRefused()
    {
        var ere = new string('(', 40) + "a" + new string(')', 40);
        Assert.False(PosixEre.TryCompile(ere, '!', ignoreCase: false, out _, out var error));
        Assert.Contains("nest deeper than 32", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_ClassicCatastrophicPatterns_MatchInLinearTime()
    {
        // (a+)+$ and (a|aa)*$ take exponential time on a backtracking engine. NonBacktracking answers at once.
        foreach (var ere in new[] { "^(a+)+$", "^(a|aa)*$", "^(.*a){12}$" })
        {
            Assert.True(PosixEre.TryCompile(ere, '!', ignoreCase: false, out var regex, out var error), error);
            Assert.DoesNotMatch(regex, new string('a', 5000) + "!");
        }
    }

    [Fact]
    public void Compile_SeededRandomPrintableStrings_NeverThrow()
    {
        // Whatever DNS sends, TryCompile answers true or false with a reason; it never throws.
        var random = new Random(6116);
        const string alphabet = @"^$.*+?{}[]()|\-:,0123456789ai!=@";
        for (var n = 0; n < 1500; n++)
        {
            var chars = new char[random.Next(1, 40)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            var ere = new string(chars);
            if (PosixEre.TryCompile(ere, '!', ignoreCase: false, out var regex, out var error))
            {
                _ = regex.IsMatch("+12025550123");
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        }
    }
}
