namespace Stir.Encrypted.Sip;

/// <summary>
/// The size caps of <see cref="SipInvite.Parse(ReadOnlySpan{byte}, SipParseLimits?)"/>. Every cap is checked
/// before the work it bounds, so hostile input costs at most these amounts.
/// </summary>
public sealed class SipParseLimits
{
    /// <summary>
    /// The default message cap: 64 KiB, the most a UDP datagram carries (RFC 3261 §18.1.1 expects larger
    /// requests to move to TCP), and room for several full-form PASSporTs with <c>x5c</c> chains.
    /// </summary>
    public const int DefaultMaxMessageBytes = 64 * 1024;

    /// <summary>The default header field cap: real INVITEs carry 10 to 40 fields.</summary>
    public const int DefaultMaxHeaderFields = 128;

    /// <summary>
    /// The default cap on one header field, name and unfolded value: 16 KiB holds an Identity header with a
    /// full-form PASSporT at its own 8 KiB cap (<see cref="Passports.PassportParseOptions.DefaultMaxTokenLength"/>) and its parameters.
    /// </summary>
    public const int DefaultMaxHeaderFieldLength = 16 * 1024;

    /// <summary>The default cap on Identity header fields: each costs a signature check and perhaps a certificate fetch.</summary>
    public const int DefaultMaxIdentityHeaders = 16;

    /// <summary>The defaults.</summary>
    public static SipParseLimits Default { get; } = new();

    /// <summary>The largest message accepted, in bytes (start line, header fields and body).</summary>
    public int MaxMessageBytes
    {
        get;
        init => field = value >= 256 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "an INVITE needs at least 256 bytes");
    } = DefaultMaxMessageBytes;

    /// <summary>The most header fields accepted (a folded field counts once).</summary>
    public int MaxHeaderFields
    {
        get;
        init => field = value >= 5 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "an INVITE has at least 5 header fields (RFC 3261 §8.1.1)");
    } = DefaultMaxHeaderFields;

    /// <summary>The longest header field accepted, in characters: name, colon and unfolded value.</summary>
    public int MaxHeaderFieldLength
    {
        get;
        init => field = value >= 64 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 64 characters");
    } = DefaultMaxHeaderFieldLength;

    /// <summary>The most Identity header fields accepted.</summary>
    public int MaxIdentityHeaders
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 1");
    } = DefaultMaxIdentityHeaders;
}
