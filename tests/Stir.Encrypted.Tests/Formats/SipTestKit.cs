using System.Text;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>INVITEs for the SIP tests: a realistic default, and ways to swap, drop or add header fields.</summary>
internal static class SipTestKit
{
    public const string RequestLine = "INVITE sip:+12025550199@gw.example.net;user=phone SIP/2.0";

    /// <summary>The Date of <see cref="PassportTestKit.Now"/> (1800000000).</summary>
    public const string Date = "Fri, 15 Jan 2027 08:00:00 GMT";

    public static readonly IReadOnlyList<string> DefaultHeaders =
    [
        "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds",
        "Max-Forwards: 70",
        "To: <sip:+12025550199@example.net;user=phone>",
        "From: \"Alice\" <sip:+12025550123@example.com;user=phone>;tag=1928301774",
        "Call-ID: a84b4c76e66710@pc33.example.com",
        "CSeq: 314159 INVITE",
        $"Date: {Date}",
        "Contact: <sip:+12025550123@pc33.example.com>",
    ];

    /// <summary>
    /// The default header fields with each of <paramref name="changes"/> applied: <c>"Name: value"</c>
    /// replaces the field of that name (or is appended when there is none), <c>"-Name"</c> drops it,
    /// <c>"+Name: value"</c> appends one more.
    /// </summary>
    public static List<string> Headers(params string[] changes)
    {
        var headers = DefaultHeaders.ToList();
        foreach (var change in changes)
        {
            if (change.StartsWith('-'))
            {
                headers.RemoveAll(h => h.StartsWith(change[1..] + ":", StringComparison.OrdinalIgnoreCase));
            }
            else if (change.StartsWith('+'))
            {
                headers.Add(change[1..]);
            }
            else
            {
                var name = change[..change.IndexOf(':', StringComparison.Ordinal)];
                var at = headers.FindIndex(h => h.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));
                if (at < 0)
                {
                    headers.Add(change);
                }
                else
                {
                    headers[at] = change;
                }
            }
        }

        return headers;
    }

    /// <summary>An INVITE: request line, header fields, Content-Length (unless given), empty line, body.</summary>
    public static string Invite(IEnumerable<string>? headers = null, string body = "", string requestLine = RequestLine, string eol = "\r\n")
    {
        var list = (headers ?? DefaultHeaders).ToList();
        if (!list.Any(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) || h.StartsWith("l:", StringComparison.Ordinal)))
        {
            list.Add($"Content-Length: {Encoding.UTF8.GetByteCount(body)}");
        }

        return requestLine + eol + string.Join(eol, list) + eol + eol + body;
    }

    public static string Invite(params string[] changes) => Invite(Headers(changes));

    public const string Sdp = "v=0\r\no=alice 2890844526 2890844526 IN IP4 pc33.example.com\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
}
