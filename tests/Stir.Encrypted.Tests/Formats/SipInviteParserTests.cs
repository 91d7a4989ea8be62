using System.Text;
using Stir.Encrypted.Sip;
using static Stir.Encrypted.Tests.Formats.SipTestKit;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// RFC 3261 §7 framing of INVITEs: good requests in the shapes real traffic has (compact names, any case,
/// folding, LF line ends, leading blank lines, several Identity fields, list-valued fields), and a table of
/// malformed ones, each refused with <see cref="SipFormatException"/> naming the line and the rule exactly.
/// </summary>
public sealed class SipInviteParserTests
{
    [Fact]
    public void Parse_TypicalInvite_ReadsRequestUriAddressesDateAndNumbers()
    {
        var invite = SipInvite.Parse(Invite(Headers(), Sdp));

        Assert.Equal("sip:+12025550199@gw.example.net;user=phone", invite.RequestUri);
        Assert.Equal(1, invite.RequestLineNumber);
        Assert.Equal("Alice", invite.From.DisplayName);
        Assert.Equal("sip:+12025550123@example.com;user=phone", invite.From.Uri);
        Assert.Equal("1928301774", invite.From.GetParameter("TAG"));
        Assert.Equal(5, invite.From.Line);
        Assert.Null(invite.To.DisplayName);
        Assert.Equal("sip:+12025550199@example.net;user=phone", invite.To.Uri);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), invite.Date);
        Assert.Equal("12025550123", invite.Caller.Number!.Value);
        Assert.Equal("From", invite.Caller.Header);
        Assert.Equal("12025550199", invite.Callee.Number!.Value);
        Assert.Equal("12025550199", invite.Target.Number!.Value);
        Assert.Equal("Request-URI", invite.Target.Header);
        Assert.Empty(invite.IdentityHeaders);
        Assert.Equal(Sdp, Encoding.UTF8.GetString(invite.Body.Span));
        Assert.Equal(9, invite.HeaderFields.Count);
    }

    [Fact]
    public void Parse_CompactAndOddlyCasedNames_AreFiledUnderTheFullName()
    {
        var text = Invite(headers:
        [
            "v: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds",
            "t: <tel:+1-202-555-0199>",
            "F: sip:+12025550123@example.com;tag=1",
            "i: a84b4c76e66710",
            "cseq: 1 INVITE",
            "DATE: " + Date,
            "y: ..AAAA;info=<https://cert.example.net/a.pem>",
            "IDENTITY: ..BBBB;info=<https://cert.example.net/b.pem>",
            "p-asserted-identity: <tel:+12025550100>",
            "l: 0",
        ]);

        var invite = SipInvite.Parse(text);

        Assert.Equal("tel:+1-202-555-0199", invite.To.Uri);
        Assert.Equal("sip:+12025550123@example.com", invite.From.Uri);
        Assert.Equal("1", invite.From.GetParameter("tag"));
        Assert.Equal(["Via", "To", "From", "Call-ID", "CSeq", "Date", "Identity", "Identity", "P-Asserted-Identity", "Content-Length"], invite.HeaderFields.Select(f => f.Name));
        Assert.Equal(["..AAAA;info=<https://cert.example.net/a.pem>", "..BBBB;info=<https://cert.example.net/b.pem>"], invite.IdentityHeaders.Select(f => f.Value));
        Assert.Equal([8, 9], invite.IdentityHeaders.Select(f => f.Line));
        Assert.Equal("12025550100", invite.Caller.Number!.Value);
        Assert.Equal("P-Asserted-Identity", invite.Caller.Header);
        Assert.Single(invite.GetHeaderFields("f"));
        Assert.Single(invite.GetHeaderFields("call-id"));
    }

    [Fact]
    public void Parse_FoldedFields_AreUnfoldedToOneSpace()
    {
        var text = Invite(Headers(
            "From: \"Alice\"\r\n   <sip:+12025550123@example.com;user=phone>\r\n\t;tag=1928301774",
            "+Identity: ..AAAA\r\n ;info=<https://cert.example.net/a.pem>\r\n ;alg=ES256"));

        var invite = SipInvite.Parse(text);

        Assert.Equal("\"Alice\" <sip:+12025550123@example.com;user=phone> ;tag=1928301774", invite.GetHeaderFields("From")[0].Value);
        Assert.Equal("1928301774", invite.From.GetParameter("tag"));
        Assert.Equal("..AAAA ;info=<https://cert.example.net/a.pem> ;alg=ES256", invite.IdentityHeaders[0].Value);
        Assert.Equal(12, invite.IdentityHeaders[0].Line);
        Assert.Equal(13 + 2, invite.GetHeaderFields("Content-Length")[0].Line);
    }

    [Fact]
    public void Parse_LfLineEndsAndLeadingBlankLines_AreAccepted()
    {
        var invite = SipInvite.Parse("\r\n\n" + Invite(Headers(), Sdp.Replace("\r\n", "\n", StringComparison.Ordinal), eol: "\n"));

        Assert.Equal(3, invite.RequestLineNumber);
        Assert.Equal(7, invite.From.Line);
        Assert.Equal(Sdp.Replace("\r\n", "\n", StringComparison.Ordinal), Encoding.UTF8.GetString(invite.Body.Span));
    }

    [Fact]
    public void Parse_ContentLengthShorterThanTheDatagram_DropsTheExtraBytes()
    {
        var text = Invite(Headers("Content-Length: 4"), "v=0\r\ntrailing junk");

        var invite = SipInvite.Parse(text);

        Assert.Equal("v=0\r", Encoding.UTF8.GetString(invite.Body.Span));
    }

    [Fact]
    public void Parse_ListValuedFields_SplitOnCommasOutsideQuotesAndBrackets()
    {
        var text = Invite(Headers(
            "+P-Asserted-Identity: \"Smith, Alice\" <sip:alice@example.com>, <tel:+12025550100>",
            "+Diversion: <sip:+12025550150@example.net;user=phone>;reason=unconditional;counter=1,<tel:+12025550151>;reason=\"user-busy\"",
            "+History-Info: <sip:+12025550199@example.net?Reason=SIP%3Bcause%3D302>;index=1,<sip:+12025550150@example.net>;index=1.1;rc=1"));

        var invite = SipInvite.Parse(text);

        Assert.Equal(["sip:alice@example.com", "tel:+12025550100"], invite.PAssertedIdentities.Select(p => p.Uri));
        Assert.Equal("Smith, Alice", invite.PAssertedIdentities[0].DisplayName);
        Assert.Equal("12025550100", invite.Caller.Number!.Value); // the first P-Asserted-Identity with a number
        Assert.Equal(["unconditional", "user-busy"], invite.Diversions.Select(d => d.GetParameter("reason")));
        Assert.Equal("1", invite.Diversions[0].GetParameter("counter"));
        Assert.Equal(["1", "1.1"], invite.HistoryInfo.Select(h => h.GetParameter("index")));
        Assert.Equal("sip:+12025550199@example.net?Reason=SIP%3Bcause%3D302", invite.HistoryInfo[0].Uri);
    }

    [Fact]
    public void Parse_QuotedDisplayNameWithEscapes_IsUnescaped()
    {
        var invite = SipInvite.Parse(Invite("From: \"A \\\"quoted\\\" <name>, Jr.\" <sip:+12025550123@example.com>;tag=9"));

        Assert.Equal("A \"quoted\" <name>, Jr.", invite.From.DisplayName);
        Assert.Equal("sip:+12025550123@example.com", invite.From.Uri);
    }

    [Fact]
    public void Parse_AddrSpecWithoutBrackets_LeavesTheParametersToTheField()
    {
        var invite = SipInvite.Parse(Invite("From: sip:+12025550123@example.com;tag=abc;x", "To: tel:+12025550199"));

        Assert.Equal("sip:+12025550123@example.com", invite.From.Uri);
        Assert.Equal([new KeyValuePair<string, string?>("tag", "abc"), new KeyValuePair<string, string?>("x", null)], invite.From.Parameters);
        Assert.Equal("12025550199", invite.Callee.Number!.Value);
    }

    [Fact]
    public void Parse_PAssertedIdentityWithoutNumber_LeavesTheCallerToFrom()
    {
        var invite = SipInvite.Parse(Invite("+P-Asserted-Identity: <sip:alice@example.com>"));

        Assert.Equal("From", invite.Caller.Header);
        Assert.Equal("12025550123", invite.Caller.Number!.Value);
    }

    [Fact]
    public void Parse_FromWithoutNumber_GivesTheCanonicalUriAndTheReason()
    {
        var invite = SipInvite.Parse(Invite("From: <sip:Alice:secret@Example.COM:5061;transport=tls>;tag=1"));

        Assert.Null(invite.Caller.Number);
        Assert.Equal("uri sip:alice@example.com", invite.Caller.Identity.ToString());
        Assert.Equal("the user part \"Alice\" is not a telephone number: no user=phone, no leading '+', not only digits and separators (RFC 8224 §8.1)", invite.Caller.NoNumberReason);
    }

    private static readonly string Good = Invite();

    private static readonly Dictionary<string, (string Message, string Error)> Malformed = new()
    {
        ["empty"] = ("", "empty message"),
        ["only blank lines"] = ("\r\n\r\n\n", "empty message"),
        ["a response"] = ("SIP/2.0 200 OK\r\n" + Good[(Good.IndexOf('\n', StringComparison.Ordinal) + 1)..], "line 1: \"SIP/2.0 200 OK\" is a status line: this is a response, not an INVITE"),
        ["request line without version"] = (Good.Replace(" SIP/2.0\r\n", "\r\n", StringComparison.Ordinal), "line 1: the Request-Line \"INVITE sip:+12025550199@gw.example.net;user=phone\" is not Method SP Request-URI SP SIP-Version (RFC 3261 §7.1)"),
        ["request line with two spaces"] = (Good.Replace("INVITE sip", "INVITE  sip", StringComparison.Ordinal), "line 1: the Request-Line \"INVITE  sip:+12025550199@gw.example.net;user=phone SIP/2.0\" is not Method SP Request-URI SP SIP-Version (RFC 3261 §7.1)"),
        ["method BYE"] = (Good.Replace("INVITE sip", "BYE sip", StringComparison.Ordinal), "line 1: method \"BYE\" is not INVITE"),
        ["method in lower case"] = (Good.Replace("INVITE sip", "invite sip", StringComparison.Ordinal), "line 1: method \"invite\" is not INVITE (method names are case-sensitive, RFC 3261 §7.1)"),
        ["method with a bad character"] = (Good.Replace("INVITE sip", "INV@TE sip", StringComparison.Ordinal), "line 1: method \"INV@TE\" is not a token (RFC 3261 §25.1)"),
        ["request-uri without scheme"] = (Good.Replace("sip:+12025550199@gw.example.net;user=phone SIP", "alice SIP", StringComparison.Ordinal), "line 1: Request-URI \"alice\" is not an absolute URI: no scheme (expected e.g. sip:user@host) (RFC 3261 §7.1)"),
        ["request-uri in brackets"] = (Good.Replace("sip:+12025550199@gw.example.net;user=phone SIP", "<sip:a@b> SIP", StringComparison.Ordinal), "line 1: Request-URI \"<sip:a@b>\" is not an absolute URI: the scheme must start with a letter (RFC 3986 §3.1) (RFC 3261 §7.1)"),
        ["SIP/3.0"] = (Good.Replace("SIP/2.0\r\nVia", "SIP/3.0\r\nVia", StringComparison.Ordinal), "line 1: SIP-Version \"SIP/3.0\" is not SIP/2.0 (RFC 3261 §7.1)"),
        ["no line end at all"] = (RequestLine, "line 1: the Request-Line has no line end: the message is truncated"),
        ["no empty line"] = (Good[..Good.IndexOf("Content-Length", StringComparison.Ordinal)], "line 10: the header section has no empty line after it: the message is truncated (RFC 3261 §7)"),
        ["continuation before any field"] = (Good.Replace("\r\nVia:", "\r\n folded\r\nVia:", StringComparison.Ordinal), "line 2: a continuation line (starting with whitespace) before any header field"),
        ["field without colon"] = (Good.Replace("Max-Forwards: 70", "Max-Forwards 70", StringComparison.Ordinal), "line 3: header field \"Max-Forwards\" has no ':' after its name (RFC 3261 §7.3.1)"),
        ["field name with a bad character"] = (Good.Replace("Max-Forwards: 70", "Max@Forwards: 70", StringComparison.Ordinal), "line 3: header field \"Max\" has no ':' after its name (RFC 3261 §7.3.1)"),
        ["field without name"] = (Good.Replace("Max-Forwards: 70", ": 70", StringComparison.Ordinal), "line 3: expected a header field name at \": 70\" (RFC 3261 §7.3.1)"),
        ["bare CR"] = (Good.Replace("Max-Forwards: 70", "Max-Forwards: 7\r0", StringComparison.Ordinal), "line 3: a bare CR at column 16"),
        ["NUL"] = (Good.Replace("Max-Forwards: 70", "Max-Forwards: 7\00", StringComparison.Ordinal), "line 3: control character \\u0000 at column 16"),
        ["DEL"] = (Good.Replace("Max-Forwards: 70", "Max-Forwards: 7\u007f0", StringComparison.Ordinal), "line 3: control character \\u007f at column 16"),
        ["no Via"] = (Invite("-Via"), "no Via header field; an INVITE carries Via, From, To, Call-ID and CSeq (RFC 3261 §8.1.1)"),
        ["no From"] = (Invite("-From"), "no From header field; an INVITE carries Via, From, To, Call-ID and CSeq (RFC 3261 §8.1.1)"),
        ["no To"] = (Invite("-To"), "no To header field; an INVITE carries Via, From, To, Call-ID and CSeq (RFC 3261 §8.1.1)"),
        ["no Call-ID"] = (Invite("-Call-ID"), "no Call-ID header field; an INVITE carries Via, From, To, Call-ID and CSeq (RFC 3261 §8.1.1)"),
        ["no CSeq"] = (Invite("-CSeq"), "no CSeq header field; an INVITE carries Via, From, To, Call-ID and CSeq (RFC 3261 §8.1.1)"),
        ["two From"] = (Invite("+From: <sip:+12025550666@evil.example>;tag=2"), "line 10: From appears again (first on line 5); RFC 3261 §7.3.1 allows one, and two make the request ambiguous"),
        ["From and f"] = (Invite("+f: <sip:+12025550666@evil.example>;tag=2"), "line 10: From appears again (first on line 5); RFC 3261 §7.3.1 allows one, and two make the request ambiguous"),
        ["two To"] = (Invite("+To: <sip:+12025550666@evil.example>"), "line 10: To appears again (first on line 4); RFC 3261 §7.3.1 allows one, and two make the request ambiguous"),
        ["two Date"] = (Invite("+Date: " + Date), "line 10: Date appears again (first on line 8); RFC 3261 §7.3.1 allows one, and two make the request ambiguous"),
        ["two Content-Length"] = (Invite(Headers("Content-Length: 0", "+l: 0")), "line 11: Content-Length appears again (first on line 10); RFC 3261 §7.3.1 allows one, and two make the request ambiguous"),
        ["CSeq of BYE"] = (Invite("CSeq: 1 BYE"), "line 7: CSeq method \"BYE\" differs from the request's INVITE (RFC 3261 §8.1.1.5)"),
        ["CSeq not a number"] = (Invite("CSeq: one INVITE"), "line 7: CSeq \"one INVITE\" is not a sequence number below 2**31 and a method (RFC 3261 §8.1.1.5)"),
        ["CSeq 2**31"] = (Invite("CSeq: 2147483648 INVITE"), "line 7: CSeq \"2147483648 INVITE\" is not a sequence number below 2**31 and a method (RFC 3261 §8.1.1.5)"),
        ["CSeq without method"] = (Invite("CSeq: 1"), "line 7: CSeq \"1\" is not a sequence number below 2**31 and a method (RFC 3261 §8.1.1.5)"),
        ["Max-Forwards not a number"] = (Invite("Max-Forwards: seventy"), "line 3: Max-Forwards \"seventy\" is not 1 to 3 digits (RFC 3261 §20.22)"),
        ["Content-Length negative"] = (Invite(Headers("Content-Length: -1")), "line 10: Content-Length \"-1\" is not a decimal number of at most 9 digits (RFC 3261 §20.14)"),
        ["Content-Length beyond the body"] = (Invite(Headers("Content-Length: 10"), "v=0\r\n"), "line 10: Content-Length is 10 but the body has 5 bytes: the message is truncated"),
        ["Date in ISO 8601"] = (Invite("Date: 2027-01-15T08:00:00Z"), "line 8: Date \"2027-01-15T08:00:00Z\" is not an RFC 1123 date in GMT such as \"Sat, 13 Nov 2010 23:29:00 GMT\" (RFC 3261 §20.17)"),
        ["Date with the wrong weekday"] = (Invite("Date: Sat, 15 Jan 2027 08:00:00 GMT"), "line 8: Date \"Sat, 15 Jan 2027 08:00:00 GMT\" is not an RFC 1123 date in GMT such as \"Sat, 13 Nov 2010 23:29:00 GMT\" (RFC 3261 §20.17)"),
        ["Date not in GMT"] = (Invite("Date: Fri, 15 Jan 2027 08:00:00 +0100"), "line 8: Date \"Fri, 15 Jan 2027 08:00:00 +0100\" is not an RFC 1123 date in GMT such as \"Sat, 13 Nov 2010 23:29:00 GMT\" (RFC 3261 §20.17)"),
        ["From empty"] = (Invite("From:"), "line 5: From: empty value"),
        ["From with two addresses"] = (Invite("From: <sip:a@example.com>, <sip:b@example.com>"), "line 5: From: holds 2 addresses; RFC 3261 §20 allows exactly one"),
        ["From with an open bracket"] = (Invite("From: <sip:a@example.com;tag=1"), "line 5: From: '<' without a closing '>'"),
        ["From with a stray closing bracket"] = (Invite("From: sip:a@example.com>;tag=1"), "line 5: From: '>' without an opening '<'"),
        ["From with an unquoted odd display name"] = (Invite("From: Alice@home <sip:a@example.com>"), "line 5: From: character '@' in the display name \"Alice@home\" needs quotes (RFC 3261 §25.1 display-name)"),
        ["From with an unterminated quote"] = (Invite("From: \"Alice <sip:a@example.com>"), "line 5: From: unterminated quoted string"),
        ["From with a quoted name and no URI"] = (Invite("From: \"Alice\" sip:a@example.com"), "line 5: From: a quoted display name must be followed by <URI> (RFC 3261 §20.10)"),
        ["From URI without scheme"] = (Invite("From: <alice>;tag=1"), "line 5: From: \"alice\" is not a URI: no scheme (expected e.g. sip:user@host)"),
        ["From URI empty"] = (Invite("From: <>;tag=1"), "line 5: From: empty URI"),
        ["From URI with a space"] = (Invite("From: <sip:a b@example.com>;tag=1"), "line 5: From: \"sip:a b@example.com\" is not a URI: whitespace or a control character at position 6"),
        ["From parameter without ';'"] = (Invite("From: <sip:a@example.com> tag=1"), "line 5: From: expected ';' before \"tag=1\""),
        ["From parameter without value"] = (Invite("From: <sip:a@example.com>;tag="), "line 5: From: parameter \"tag\" has '=' but no value"),
        ["From parameter without name"] = (Invite("From: <sip:a@example.com>;=1"), "line 5: From: expected a parameter name after ';' at \"=1\""),
        ["To with a trailing ';'"] = (Invite("To: <sip:b@example.com>;"), "line 4: To: expected a parameter name after ';'"),
        ["P-Asserted-Identity with an empty element"] = (Invite("+P-Asserted-Identity: <sip:a@example.com>,"), "line 10: P-Asserted-Identity: empty element 2 in a comma-separated list"),
        ["P-Asserted-Identity empty"] = (Invite("+P-Asserted-Identity:"), "line 10: P-Asserted-Identity: empty value"),
        ["Diversion without scheme"] = (Invite("+Diversion: <12025550150>;reason=unconditional"), "line 10: Diversion: \"12025550150\" is not a URI: no scheme (expected e.g. sip:user@host)"),
        ["History-Info unterminated"] = (Invite("+History-Info: <sip:a@example.com;index=1"), "line 10: History-Info: '<' without a closing '>'"),
        ["Identity empty"] = (Invite("+Identity:"), "line 10: Identity: empty value"),
    };

    public static TheoryData<string> MalformedNames() => [.. Malformed.Keys];

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public void Parse_Malformed_ThrowsNamingTheLineAndTheRule(string name)
    {
        var (message, expected) = Malformed[name];

        var error = Assert.Throws<SipFormatException>(() => SipInvite.Parse(message));

        Assert.Equal(expected, error.Message);
        Assert.Equal(expected.StartsWith("line ", StringComparison.Ordinal) ? int.Parse(expected[5..expected.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture) : 0, error.Line);
    }

    [Fact]
    public void Parse_InvalidUtf8InAHeader_ThrowsNamingTheLine()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite("From: \"Al?ce\" <sip:+12025550123@example.com>;tag=1"));
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xC3;

        var error = Assert.Throws<SipFormatException>(() => SipInvite.Parse(bytes));

        Assert.Equal("line 5: not valid UTF-8 (RFC 3261 §7.3.1: header fields are UTF-8 text)", error.Message);
    }

    [Fact]
    public void Parse_Utf8DisplayName_IsAccepted()
    {
        var invite = SipInvite.Parse(Encoding.UTF8.GetBytes(Invite("From: \"Zoë Ünal\" <sip:+12025550123@example.com>;tag=1")));

        Assert.Equal("Zoë Ünal", invite.From.DisplayName);
    }
}
