using System.Text;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.EndToEnd.Tests.Support;

/// <summary>INVITE requests for the gateway paths: From the caller, To the callee, the Request-URI the target.</summary>
internal static class Invites
{
    public static string Text(TelephoneNumber from, TelephoneNumber to, TelephoneNumber target, params string[] identities)
    {
        var text = new StringBuilder()
            .Append($"INVITE sip:{target.ToE164()}@gw.example.net;user=phone SIP/2.0\r\n")
            .Append("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n")
            .Append("Max-Forwards: 70\r\n")
            .Append($"From: <sip:{from.ToE164()}@example.com;user=phone>;tag=1928301774\r\n")
            .Append($"To: <sip:{to.ToE164()}@example.net;user=phone>\r\n")
            .Append("Call-ID: a84b4c76e66710\r\n")
            .Append("CSeq: 314159 INVITE\r\n")
            .Append("Contact: <sip:192.0.2.1:5060>\r\n");
        foreach (var identity in identities)
        {
            text.Append($"Identity: {identity}\r\n");
        }

        return text.Append("Content-Length: 0\r\n\r\n").ToString();
    }
}
