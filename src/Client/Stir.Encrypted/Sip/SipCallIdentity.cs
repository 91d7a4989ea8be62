using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Sip;

/// <summary>
/// A calling or called identity read from SIP signaling: which header field it came from, its URI, its
/// telephone number in RFC 8224 §8.3 canonical form when it has one (else why not), and the PASSporT
/// identity it corresponds to (<c>tn</c>, or the RFC 8224 §8.5 canonical URI).
/// </summary>
public sealed class SipCallIdentity
{
    internal SipCallIdentity(string header, int line, string uri)
    {
        Header = header;
        Line = line;
        Uri = uri;
        if (SipUriNumber.TryGetNumber(uri, out var number, out var reason))
        {
            Number = number;
            Identity = PassportIdentity.FromTn(number);
        }
        else
        {
            NoNumberReason = reason;
            var canonical = SipUriNumber.Canonicalize(uri);
            Identity = PassportIdentity.FromUri(PassportIdentity.IsUri(canonical, out _) ? canonical : uri);
        }
    }

    /// <summary>Where the identity was read: <c>From</c>, <c>P-Asserted-Identity</c>, <c>To</c> or <c>Request-URI</c>.</summary>
    public string Header { get; }

    /// <summary>The 1-based line it was read from.</summary>
    public int Line { get; }

    /// <summary>The URI as written.</summary>
    public string Uri { get; }

    /// <summary>The telephone number, canonical (RFC 8224 §8.3); null when the URI names none.</summary>
    public TelephoneNumber? Number { get; }

    /// <summary>Why <see cref="Number"/> is null (e.g. <c>the user part "alice" is not a telephone number ...</c>); null when there is a number.</summary>
    public string? NoNumberReason { get; }

    /// <summary>The PASSporT identity this stands for: <c>tn</c> with the number, else <c>uri</c> with the canonical URI (RFC 8224 §4.1, §8.5).</summary>
    public PassportIdentity Identity { get; }

    /// <summary><c>tn 12025550123 (From, line 4)</c>.</summary>
    public override string ToString() => $"{Identity} ({Header}, line {Line})";
}
