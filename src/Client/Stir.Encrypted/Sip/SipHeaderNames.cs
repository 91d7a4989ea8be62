namespace Stir.Encrypted.Sip;

/// <summary>Header field names: the ones this code reads, and the compact forms SIP allows for them.</summary>
internal static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string MaxForwards = "Max-Forwards";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string Date = "Date";
    public const string Identity = "Identity";
    public const string PAssertedIdentity = "P-Asserted-Identity";
    public const string Diversion = "Diversion";
    public const string HistoryInfo = "History-Info";

    // RFC 3261 §7.3.3 and §20 give the compact forms of the core header fields; later RFCs registered the
    // rest in the IANA "Header Fields" registry. "y" is Identity's (RFC 4474, kept by RFC 8224 §13.1; its
    // Identity-Info "n" was withdrawn there, so "n" is not expanded).
    private static readonly Dictionary<char, string> CompactForms = new()
    {
        ['a'] = "Accept-Contact",
        ['b'] = "Referred-By",
        ['c'] = ContentType,
        ['d'] = "Request-Disposition",
        ['e'] = "Content-Encoding",
        ['f'] = From,
        ['i'] = CallId,
        ['j'] = "Reject-Contact",
        ['k'] = "Supported",
        ['l'] = ContentLength,
        ['m'] = "Contact",
        ['o'] = "Event",
        ['r'] = "Refer-To",
        ['s'] = "Subject",
        ['t'] = To,
        ['u'] = "Allow-Events",
        ['v'] = Via,
        ['x'] = "Session-Expires",
        ['y'] = Identity,
    };

    private static readonly string[] KnownNames =
    [
        Via, From, To, CallId, CSeq, MaxForwards, ContentLength, ContentType, Date, Identity, PAssertedIdentity, Diversion, HistoryInfo,
    ];

    /// <summary>
    /// The name a field is filed under: the full form of a compact name, the spelling above for a known name
    /// in any case (names are case-insensitive, RFC 3261 §7.3.1), else the name as written.
    /// </summary>
    public static string Canonicalize(string name)
    {
        if (name.Length == 1 && CompactForms.TryGetValue(char.ToLowerInvariant(name[0]), out var full))
        {
            return full;
        }

        foreach (var known in KnownNames)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return name;
    }

    // RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
    public static bool IsTokenChar(char c)
        => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~';
}
