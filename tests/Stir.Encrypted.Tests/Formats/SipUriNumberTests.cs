using Stir.Encrypted.Sip;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// RFC 8224 §8.1 and §8.3: which URIs name a telephone number and its canonical form, and for those that
/// do not, the reason; RFC 8224 §8.5: the canonical form of a SIP URI without a number.
/// </summary>
public sealed class SipUriNumberTests
{
    [Theory]
    [InlineData("tel:+12025550123", "12025550123")]
    [InlineData("tel:+1-202-555-0123", "12025550123")]
    [InlineData("tel:+1(202)555.0123;phone-context=example.com", "12025550123")]
    [InlineData("TEL:+12025550123;ext=42", "12025550123")]
    [InlineData("tel:202-555-0123;phone-context=+1", "12025550123")]
    [InlineData("tel:2025550123;phone-context=+1-202", "12022025550123")]
    [InlineData("tel:911;phone-context=example.com", "911")]
    [InlineData("tel:*67#;phone-context=example.com", "*67#")]
    [InlineData("sip:+12025550123@example.com;user=phone", "12025550123")]
    [InlineData("sip:+1-202-555-0123@example.com;user=phone", "12025550123")]
    [InlineData("sips:+12025550123;npdi;rn=+12025550000@example.com;user=phone", "12025550123")]
    [InlineData("sip:2025550123;phone-context=+1@example.com;user=phone", "12025550123")]
    [InlineData("sip:+12025550123:secret@example.com:5060;user=phone;transport=tcp", "12025550123")]
    [InlineData("SIP:+12025550123@EXAMPLE.COM;USER=PHONE", "12025550123")]
    [InlineData("sip:%2B12025550123@example.com;user=phone", "12025550123")]
    [InlineData("sip:*67%2312025550123@example.com;user=phone", "*67#12025550123")]
    [InlineData("sip:+12025550123@example.com", "12025550123")]
    [InlineData("sip:12025550123@example.com", "12025550123")]
    [InlineData("sip:1-202-555-0123@192.0.2.1:5060", "12025550123")]
    [InlineData("sip:+12025550123@example.com?Subject=call%40home", "12025550123")]
    public void TryGetNumber_UriWithNumber_GivesTheCanonicalNumber(string uri, string expected)
    {
        Assert.True(SipUriNumber.TryGetNumber(uri, out var number, out var reason), reason);
        Assert.Equal(expected, number.Value);
        Assert.Null(reason);
    }

    [Theory]
    [InlineData("sip:alice@example.com", "the user part \"alice\" is not a telephone number: no user=phone, no leading '+', not only digits and separators (RFC 8224 §8.1)")]
    [InlineData("sip:1alice@example.com", "the user part \"1alice\" is not a telephone number: no user=phone, no leading '+', not only digits and separators (RFC 8224 §8.1)")]
    [InlineData("sip:example.com", "\"sip:example.com\" has no user part, so it names no telephone number (RFC 8224 §8.1)")]
    [InlineData("sips:example.com;user=phone", "\"sips:example.com;user=phone\" has no user part, so it names no telephone number (RFC 8224 §8.1)")]
    [InlineData("mailto:alice@example.com", "a mailto: URI names no telephone number (RFC 8224 §8.1 reads tel:, sip: and sips: URIs)")]
    [InlineData("urn:service:sos", "a urn: URI names no telephone number (RFC 8224 §8.1 reads tel:, sip: and sips: URIs)")]
    [InlineData("alice", "\"alice\" is not a URI (no scheme)")]
    [InlineData("sip:alice@example.com;user=phone", "user=phone, but \"alice\" is not a telephone number: character 'a' is neither a digit, '#', '*' nor a visual separator (RFC 3966 §3, RFC 8224 §8.3)")]
    [InlineData("sip:+1202alice@example.com", "\"+1202alice\" is not a telephone number: character 'a' is neither a digit nor a visual separator (RFC 3966 §3, RFC 8224 §8.3)")]
    [InlineData("tel:+1 202 555 0123", "\"+1 202 555 0123\" is not a telephone number: character ' ' is neither a digit nor a visual separator (RFC 3966 §3, RFC 8224 §8.3)")]
    [InlineData("tel:+1#23", "\"+1#23\" is not a telephone number: character '#' is neither a digit nor a visual separator (RFC 3966 §3, RFC 8224 §8.3)")]
    [InlineData("tel:+", "\"+\" has no digits")]
    [InlineData("tel:+--", "\"+--\" has no digits")]
    [InlineData("tel:+1202555012345678", "\"+1202555012345678\" is not a telephone number: a canonical number has 1..15 characters; this one has 16")]
    [InlineData("tel:2025550123;phone-context=+1x", "phone-context \"+1x\" is neither a domain nor a global number prefix (RFC 3966 §5.1.5)")]
    [InlineData("sip:%ZZ12@example.com", "the user part \"%ZZ12\" has a malformed %-escape (RFC 3261 §25.1)")]
    [InlineData("sip:12%@example.com", "the user part \"12%\" has a malformed %-escape (RFC 3261 §25.1)")]
    [InlineData("sip:%C3%28@example.com;user=phone", "the user part \"%C3%28\" has a malformed %-escape (RFC 3261 §25.1)")]
    public void TryGetNumber_UriWithoutNumber_SaysWhy(string uri, string expected)
    {
        Assert.False(SipUriNumber.TryGetNumber(uri, out var number, out var reason));
        Assert.Null(number);
        Assert.Equal(expected, reason);
    }

    [Theory]
    [InlineData("sip:Alice:pw@Example.COM:5060;transport=tcp?subject=x", "sip:alice@example.com")]
    [InlineData("SIPS:%61lice@[2001:DB8::1]:5061", "sips:alice@[2001:db8::1]")]
    [InlineData("sip:alice%40home@example.com", "sip:alice%40home@example.com")]
    [InlineData("sip:example.com:5060;lr", "sip:example.com")]
    [InlineData("mailto:Alice@Example.com", "mailto:Alice@Example.com")]
    public void Canonicalize_SipUri_FollowsRfc8224Section8_5(string uri, string expected)
        => Assert.Equal(expected, SipUriNumber.Canonicalize(uri));
}
