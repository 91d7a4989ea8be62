using System.Text;

namespace Stir.Encrypted.Sip;

/// <summary>
/// A SIP INVITE request (RFC 3261 §7, §8.1.1), parsed strictly where it matters to STIR (the Request-Line,
/// From, To, P-Asserted-Identity, Diversion, History-Info, Date, Identity) and tolerant of what real
/// traffic does (LF line ends, folding, compact names, any name case, leading blank lines), within the
/// size caps of <see cref="SipParseLimits"/>. Immutable; <see cref="WithIdentityHeaders(IEnumerable{string})"/>
/// makes a new one.
/// </summary>
/// <remarks>
/// Identity header fields are kept as raw values here: one broken Identity header does not make the
/// request unusable (RFC 8224 §6.2.1), so <see cref="SipGateway.Lift(SipInvite, Passports.PassportParseOptions?)"/>
/// judges each one and reports the bad ones beside the good.
/// </remarks>
public sealed class SipInvite
{
    private readonly byte[] _body;

    internal SipInvite(
        string requestLine,
        int requestLineNumber,
        string requestUri,
        IReadOnlyList<SipHeaderField> headerFields,
        SipNameAddress from,
        SipNameAddress to,
        IReadOnlyList<SipNameAddress> pAssertedIdentities,
        IReadOnlyList<SipNameAddress> diversions,
        IReadOnlyList<SipNameAddress> historyInfo,
        DateTimeOffset? date,
        byte[] body,
        SipParseLimits limits)
    {
        RequestLineText = requestLine;
        RequestLineNumber = requestLineNumber;
        RequestUri = requestUri;
        HeaderFields = headerFields;
        From = from;
        To = to;
        PAssertedIdentities = pAssertedIdentities;
        Diversions = diversions;
        HistoryInfo = historyInfo;
        Date = date;
        _body = body;
        Limits = limits;
        IdentityHeaders = GetHeaderFields(SipHeaderNames.Identity);
        Caller = pAssertedIdentities.Select(p => new SipCallIdentity(SipHeaderNames.PAssertedIdentity, p.Line, p.Uri)).FirstOrDefault(c => c.Number is not null)
            ?? new SipCallIdentity(SipHeaderNames.From, from.Line, from.Uri);
        Callee = new SipCallIdentity(SipHeaderNames.To, to.Line, to.Uri);
        Target = new SipCallIdentity("Request-URI", requestLineNumber, requestUri);
    }

    /// <summary>The Request-URI, as written.</summary>
    public string RequestUri { get; }

    /// <summary>The 1-based line of the Request-Line (after any blank lines that preceded it, RFC 3261 §7.5).</summary>
    public int RequestLineNumber { get; }

    /// <summary>Every header field, in order.</summary>
    public IReadOnlyList<SipHeaderField> HeaderFields { get; }

    /// <summary>The From header field: the caller as the UA states it (RFC 3261 §20.20).</summary>
    public SipNameAddress From { get; }

    /// <summary>The To header field: the callee the request was addressed to (RFC 3261 §20.39).</summary>
    public SipNameAddress To { get; }

    /// <summary>Every P-Asserted-Identity (RFC 3325 §9.1), in order; empty when absent.</summary>
    public IReadOnlyList<SipNameAddress> PAssertedIdentities { get; }

    /// <summary>Every Diversion entry (RFC 5806 §3), in order; empty when absent.</summary>
    public IReadOnlyList<SipNameAddress> Diversions { get; }

    /// <summary>Every History-Info entry (RFC 7044 §4), in order; its <c>index</c> parameter is what a div PASSporT's <c>hi</c> names (RFC 8946 §8).</summary>
    public IReadOnlyList<SipNameAddress> HistoryInfo { get; }

    /// <summary>The Date header field (RFC 3261 §20.17), the source of <c>iat</c> (RFC 8224 §4.1); null when absent.</summary>
    public DateTimeOffset? Date { get; }

    /// <summary>
    /// The caller: the first P-Asserted-Identity that names a telephone number, else From. RFC 8224 §6.1
    /// step 1 reads From; §8 lets local policy read P-Asserted-Identity instead, which is what SHAKEN
    /// networks sign (a trusted network asserts it), so it wins when it carries a number.
    /// </summary>
    public SipCallIdentity Caller { get; }

    /// <summary>The callee a PASSporT's <c>dest</c> mirrors: To (RFC 8224 §4.1).</summary>
    public SipCallIdentity Callee { get; }

    /// <summary>The current target: the Request-URI, which retargeting changes (RFC 8946 §4.1, §4.2 step 1).</summary>
    public SipCallIdentity Target { get; }

    /// <summary>The Identity header fields (RFC 8224 §4; compact name <c>y</c>), each as received.</summary>
    public IReadOnlyList<SipHeaderField> IdentityHeaders { get; }

    /// <summary>The message body: <c>Content-Length</c> bytes when that header is present (extra bytes of a datagram are dropped, RFC 3261 §18.3), else the rest.</summary>
    public ReadOnlyMemory<byte> Body => _body;

    internal string RequestLineText { get; }

    internal SipParseLimits Limits { get; }

    /// <summary>Parses an INVITE as received (bytes; the header section is UTF-8, RFC 3261 §7.3.1), with the default caps.</summary>
    /// <exception cref="SipFormatException">The message is malformed or breaks a cap; the message names the line and the rule.</exception>
    public static SipInvite Parse(ReadOnlySpan<byte> message) => SipInviteParser.Parse(message, SipParseLimits.Default);

    /// <summary>Parses an INVITE as received, within <paramref name="limits"/>.</summary>
    /// <exception cref="SipFormatException">The message is malformed or breaks a cap; the message names the line and the rule.</exception>
    public static SipInvite Parse(ReadOnlySpan<byte> message, SipParseLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return SipInviteParser.Parse(message, limits);
    }

    /// <summary>Parses an INVITE held as text (encoded as UTF-8 first, so the byte caps apply to what would be sent).</summary>
    /// <exception cref="SipFormatException">The message is malformed or breaks a cap.</exception>
    public static SipInvite Parse(string message) => Parse(message, SipParseLimits.Default);

    /// <summary>Parses an INVITE held as text, within <paramref name="limits"/>.</summary>
    /// <exception cref="SipFormatException">The message is malformed or breaks a cap.</exception>
    public static SipInvite Parse(string message, SipParseLimits limits)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(limits);
        if (message.Length > limits.MaxMessageBytes)
        {
            throw new SipFormatException(0, $"the message is at least {message.Length} bytes (limit {limits.MaxMessageBytes})");
        }

        return SipInviteParser.Parse(System.Text.Encoding.UTF8.GetBytes(message), limits);
    }

    /// <summary>The header fields named <paramref name="name"/> (full or compact name, any case), in order.</summary>
    public IReadOnlyList<SipHeaderField> GetHeaderFields(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var canonical = SipHeaderNames.Canonicalize(name);
        return HeaderFields.Where(f => string.Equals(f.Name, canonical, StringComparison.OrdinalIgnoreCase)).ToArray();
    }

    /// <summary>
    /// A new INVITE: this one with its Identity header fields replaced by <paramref name="identityValues"/>
    /// (each becomes one <c>Identity:</c> field after the last header field, RFC 8224 §4: one PASSporT per
    /// field). Every other field and the body are kept as received; line ends become CRLF (RFC 3261 §7).
    /// </summary>
    /// <exception cref="ArgumentException">A value is empty or holds a line break or control character (it would forge header fields).</exception>
    /// <exception cref="SipFormatException">The new message breaks a cap of the limits this INVITE was parsed with.</exception>
    public SipInvite WithIdentityHeaders(IEnumerable<string> identityValues)
    {
        ArgumentNullException.ThrowIfNull(identityValues);
        var values = identityValues.ToArray();
        foreach (var value in values)
        {
            ArgumentNullException.ThrowIfNull(value, nameof(identityValues));
            if (value.Trim().Length == 0 || value.Any(c => char.IsControl(c)))
            {
                throw new ArgumentException("an Identity header value is non-empty and has no line breaks or control characters", nameof(identityValues));
            }
        }

        var fields = HeaderFields.Where(f => f.Name != SipHeaderNames.Identity).Select(f => f.RawLines)
            .Concat(values.Select(v => (IReadOnlyList<string>)[$"{SipHeaderNames.Identity}: {v.Trim()}"]));
        return Parse(Write(RequestLineText, fields, _body), Limits);
    }

    /// <summary>The message as it would be sent: CRLF line ends, every field as received, the body.</summary>
    public byte[] ToBytes() => Write(RequestLineText, HeaderFields.Select(f => f.RawLines), _body);

    /// <summary>The message as text (UTF-8; a body that is not UTF-8 shows replacement characters).</summary>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(ToBytes());

    private static byte[] Write(string requestLine, IEnumerable<IReadOnlyList<string>> fields, byte[] body)
    {
        var sb = new StringBuilder().Append(requestLine).Append("\r\n");
        foreach (var lines in fields)
        {
            foreach (var line in lines)
            {
                sb.Append(line).Append("\r\n");
            }
        }

        sb.Append("\r\n");
        var head = System.Text.Encoding.UTF8.GetBytes(sb.ToString());
        var message = new byte[head.Length + body.Length];
        head.CopyTo(message, 0);
        body.CopyTo(message, head.Length);
        return message;
    }
}
