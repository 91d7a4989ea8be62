namespace Stir.Encrypted.Passports;

/// <summary>Limits and allowances of <see cref="Passport.Parse(string, PassportParseOptions?)"/>.</summary>
public sealed class PassportParseOptions
{
    /// <summary>The default token size cap: 8 KiB holds a SHAKEN PASSporT with rich call data or a div-o nesting.</summary>
    public const int DefaultMaxTokenLength = 8 * 1024;

    /// <summary>The header size cap, decoded: 4 KiB holds an <c>x5c</c> chain of a few P-256 certificates.</summary>
    public const int DefaultMaxHeaderBytes = 4 * 1024;

    /// <summary>How deep <c>opt</c> may nest PASSporTs (a div-o of a div-o ...): each retargeting adds one level.</summary>
    public const int DefaultMaxNesting = 4;

    /// <summary>The defaults: https-only <c>x5u</c>, 8 KiB tokens, 4 KiB headers.</summary>
    public static PassportParseOptions Default { get; } = new();

    /// <summary>
    /// Accept <c>x5u</c> URLs with plain http when the host is a loopback address (127.0.0.0/8, ::1,
    /// localhost). For test rigs that serve certificates locally; never for production traffic.
    /// </summary>
    public bool AllowLoopbackHttpX5u { get; init; }

    /// <summary>The longest token accepted, in characters (the nested <c>opt</c> counts within it).</summary>
    public int MaxTokenLength
    {
        get;
        init => field = value >= 64 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a PASSporT is at least 64 characters");
    } = DefaultMaxTokenLength;

    /// <summary>The largest decoded header accepted, in bytes.</summary>
    public int MaxHeaderBytes
    {
        get;
        init => field = value >= 32 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a PASSporT header is at least 32 bytes");
    } = DefaultMaxHeaderBytes;

    /// <summary>How many PASSporTs deep <c>opt</c> may nest.</summary>
    public int MaxNesting
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 1");
    } = DefaultMaxNesting;
}
