using Stir.Encrypted.Discovery;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>The ENUM client rules of RFC 6116 §3–§5 beyond the vector cases, above all robustness (§5.2).</summary>
public sealed class EnumNaptrProcessorTests
{
    private const string Aus = "+12025550123";
    private const string Domain = "3.2.1.0.5.5.5.2.0.2.1.e164.arpa.";

    private static NaptrRecord Terminal(ushort order, ushort preference, string services, string regexp, string flags = "u", string replacement = ".") =>
        new(order, preference, flags, services, regexp, replacement);

    [Fact]
    public void Process_BadRecordBesideGoodOnes_GoodOnesAreUsedAndTheBadOneIsNamed()
    {
        var bad = Terminal(10, 10, "E2U+sip", @"!^\d+$!sip:bad@example.com!");
        var good = Terminal(10, 20, "E2U+sip", "!^.*$!sip:good@example.com!");

        var set = NaptrProcessor.Process(Aus, Domain, [bad, good]);

        Assert.Equal(["sip:good@example.com"], set.Rules.Select(r => r.Uri));
        var problem = Assert.Single(set.Problems);
        Assert.Equal(Domain, problem.Domain);
        Assert.Same(bad, problem.Record);
        Assert.Contains(@"'\d' at position 2 is not POSIX ERE", problem.Rule, StringComparison.Ordinal);
        Assert.Contains(Domain, problem.Message, StringComparison.Ordinal);
        Assert.Contains(@"10 10 ""u"" ""E2U+sip"" ""!^\\d+$!sip:bad@example.com!"" .", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_LowestOrderAllDiscarded_NextOrderIsUsed()
    {
        // RFC 6116 §5.2: a worse ORDER is not dropped before a record has been accepted.
        var set = NaptrProcessor.Process(Aus, Domain,
        [
            Terminal(10, 10, "E2U+sip", "!^.*$!not a uri!"),
            Terminal(10, 20, "E2U+sip", "!^\\+44.*$!sip:uk@example.com!"),
            Terminal(20, 10, "E2U+sip", "!^.*$!sip:second@example.com!"),
        ]);

        var first = set.FirstUsableOrder();
        Assert.Equal(["sip:second@example.com"], first.Select(r => r.Uri));
        Assert.Contains("is not an absolute URI", Assert.Single(set.Problems).Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_UnknownFlagOnEnumRecord_IsIgnoredWithAReason()
    {
        var set = NaptrProcessor.Process(Aus, Domain, [Terminal(10, 10, "E2U+sip", "!^.*$!sip:x@example.com!", flags: "ux")]);

        Assert.Empty(set.Rules);
        Assert.Contains("unknown flag(s) \"ux\"", Assert.Single(set.Problems).Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_OtherDddsApplications_AreSkippedSilently()
    {
        var set = NaptrProcessor.Process(Aus, Domain,
        [
            Terminal(10, 10, "SIPS+D2T", "", flags: "s", replacement: "_sips._tcp.example.com."),
            Terminal(10, 10, "x-foo:bar", "!^.*$!https://x/!", flags: "u"),
            Terminal(10, 10, "E2Ufoo+sip", "!^.*$!sip:x@example.com!"),
        ]);

        Assert.Empty(set.Rules);
        Assert.Empty(set.Problems);
    }

    [Fact]
    public void Process_PrivateEnumservice_IsDiscarded()
    {
        // RFC 6116 §3.4.3.1: a client not sure it is on the private network MUST discard P- enumservices.
        var set = NaptrProcessor.Process(Aus, Domain, [Terminal(10, 10, "E2U+P-internal:sip+sip", "!^.*$!sip:x@example.com!")]);

        Assert.Equal(["sip"], set.Rules.Select(r => r.Enumservice));
    }

    [Fact]
    public void Process_CompoundWithOneMalformedEnumservice_KeepsTheOthersInOrder()
    {
        var set = NaptrProcessor.Process(Aus, Domain, [Terminal(10, 10, "E2U+voice:tel+bad_type+sms:tel", "!^.*$!tel:+12025550123!")]);

        Assert.Equal(["voice:tel", "sms:tel"], set.Rules.Select(r => r.Enumservice));
        Assert.Contains("enumservice \"bad_type\" is not type[:subtype]", Assert.Single(set.Problems).Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("E2U+" + "abcdefghijabcdefghijabcdefghijabc", "is not type[:subtype] of 1-32")]
    [InlineData("E2U+sip:", "is not type[:subtype]")]
    [InlineData("E2U++sip", "enumservice \"\" is not type[:subtype]")]
    public void Process_MalformedServices_AreNamed(string services, string expected)
    {
        var set = NaptrProcessor.Process(Aus, Domain, [Terminal(10, 10, services, "!^.*$!sip:x@example.com!")]);

        Assert.Contains(set.Problems, p => p.Rule.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Process_ObsoleteRfc2916Syntax_IsStillRead()
    {
        // RFC 6116 §5.2: clients SHOULD support the RFC 2916 form "type+E2U".
        var set = NaptrProcessor.Process(Aus, Domain, [Terminal(10, 10, "sip+E2U", "!^.*$!sip:old@example.com!")]);

        Assert.Equal(("sip", "sip:old@example.com"), (set.Rules[0].Enumservice, set.Rules[0].Uri));
    }

    [Fact]
    public void Process_TerminalWithReplacement_IsDiscarded()
    {
        // RFC 3403 §4.1: REGEXP and REPLACEMENT are mutually exclusive.
        var set = NaptrProcessor.Process(Aus, Domain, [Terminal(10, 10, "E2U+sip", "!^.*$!sip:x@example.com!", replacement: "example.com.")]);

        Assert.Empty(set.Rules);
        Assert.Contains("both a Regexp and a Replacement", Assert.Single(set.Problems).Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".", "the root domain is not a domain to query")]
    [InlineData("", "the root domain is not a domain to query")]
    [InlineData("a..b.", "a label is empty")]
    [InlineData("bad\\032name.example.", "'\\' is not a letter")]
    public void Process_NonTerminalWithoutValidTarget_IsDiscarded(string replacement, string expected)
    {
        // RFC 6116 §5.2.1: discard a non-terminal NAPTR whose Replacement is empty or not a valid FQDN.
        var set = NaptrProcessor.Process(Aus, Domain, [new NaptrRecord(10, 10, "", "", "", replacement)]);

        Assert.Empty(set.Rules);
        var problem = Assert.Single(set.Problems);
        Assert.Contains("Replacement must be a valid FQDN", problem.Rule, StringComparison.Ordinal);
        Assert.Contains(expected, problem.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_NonTerminal_IgnoresServicesAndRegexpAndNormalisesTheTarget()
    {
        var set = NaptrProcessor.Process(Aus, Domain, [new NaptrRecord(10, 10, "", "E2U+sip", "!^.*$!sip:x@example.com!", "Next.Example.NET")]);

        var rule = Assert.Single(set.Rules);
        Assert.False(rule.IsTerminal);
        Assert.Equal("next.example.net.", rule.NextDomain);
    }

    [Fact]
    public void Process_TiesOnOrderAndPreference_KeepTheOrderDnsGave()
    {
        var records = Enumerable.Range(0, 6).Select(i => Terminal(10, 10, "E2U+sip", $"!^.*$!sip:{i}@example.com!")).Reverse().ToList();

        var set = NaptrProcessor.Process(Aus, Domain, records);

        Assert.Equal(records.Select(r => r.Regexp[6..^1]), set.Rules.Select(r => r.Uri));
    }

    [Fact]
    public void Process_Wants_FiltersBeforeTheRegexpIsEvaluated()
    {
        // A record for an enumservice nobody asked for is not evaluated, so its bad regexp is no problem here.
        var set = NaptrProcessor.Process(Aus, Domain,
        [
            Terminal(10, 10, "E2U+sip", @"!\d!x!"),
            Terminal(10, 20, "E2U+x-stir-cps:https", "!^.*$!https://cps.example.net/!"),
        ], s => s == "x-stir-cps:https");

        Assert.Equal(["https://cps.example.net/"], set.Rules.Select(r => r.Uri));
        Assert.Empty(set.Problems);
    }

    [Fact]
    public void Process_EveryCharacterOfAGoodRecordFlipped_NeverThrows()
    {
        // Tamper: each position of each field replaced by characters that matter to the parsers. Whatever DNS
        // sends, the processor returns rules or named problems.
        var good = Terminal(100, 10, "E2U+x-stir-cps:https", @"!^\+1(202)(.*)$!https://cps.example.net/\1/\2/!");
        const string replacements = "!\\|()[]{}*+?^$.:0a9i \"";
        var count = 0;
        foreach (var field in new[] { "flags", "services", "regexp" })
        {
            var text = field switch { "flags" => good.Flags, "services" => good.Services, _ => good.Regexp };
            for (var i = 0; i < text.Length; i++)
            {
                foreach (var c in replacements)
                {
                    var mutated = text[..i] + c + text[(i + 1)..];
                    var record = field switch
                    {
                        "flags" => Terminal(100, 10, good.Services, good.Regexp, flags: mutated),
                        "services" => Terminal(100, 10, mutated, good.Regexp),
                        _ => Terminal(100, 10, good.Services, mutated),
                    };
                    var set = NaptrProcessor.Process(Aus, Domain, [record]);
                    Assert.All(set.Problems, p => Assert.Same(record, p.Record));
                    Assert.All(set.Rules, r => Assert.False(string.IsNullOrEmpty(r.Uri ?? r.NextDomain)));
                    count++;
                }
            }
        }

        Assert.True(count > 1000);
    }

    [Fact]
    public void Process_TruncatedRegexpAtEveryLength_GivesNoRuleOrAProblem()
    {
        var regexp = @"!^\+1(202)(.*)$!https://cps.example.net/\1/!";
        for (var length = 0; length < regexp.Length; length++)
        {
            var set = NaptrProcessor.Process(Aus, Domain, [Terminal(10, 10, "E2U+sip", regexp[..length])]);

            Assert.Empty(set.Rules);
            Assert.Single(set.Problems);
        }
    }
}
