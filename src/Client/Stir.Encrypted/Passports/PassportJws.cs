using System.Security.Cryptography;
using System.Text.Json;
using Stir.Encrypted.Jose;

namespace Stir.Encrypted.Passports;

/// <summary>
/// A PASSporT decoded as a JWS and nothing more (RFC 7515 §7.1 compact serialization), through the shared
/// <see cref="CompactJws"/>: three base64url segments, a 64-byte signature, a header and a claims set that are
/// strict JSON objects, kept exactly as received. This adds what is PASSporT-specific: the compact form
/// (<c>..signature</c>, RFC 8225 §7) and <see cref="PassportFormatException"/> as the one error type.
/// Schema rules (what the header and claims must contain) are <see cref="PassportParser"/>'s job.
/// </summary>
internal sealed class PassportJws : IDisposable
{
    /// <summary>RFC 7518 §3.4: an ES256 signature is R || S, 32 bytes each.</summary>
    public const int SignatureSize = CompactJws.SignatureSize;

    private readonly CompactJws _jws;

    private PassportJws(CompactJws jws)
    {
        _jws = jws;
    }

    public string Token => _jws.Token;

    /// <summary>ASCII(BASE64URL(header) || '.' || BASE64URL(claims)): what ES256 signs (RFC 7515 §5.1 step 5).</summary>
    public byte[] SigningInput => _jws.SigningInput;

    public string HeaderSegment => _jws.HeaderSegment;

    public string SignatureSegment => _jws.SignatureSegment;

    public byte[] RawHeader => _jws.RawHeader;

    public byte[] RawClaims => _jws.RawPayload;

    public byte[] Signature => _jws.Signature;

    public JsonDocument Header => _jws.Header;

    public JsonDocument Claims => _jws.Payload;

    public bool IsHeaderCanonical => _jws.IsHeaderCanonical;

    public bool AreClaimsCanonical => _jws.IsPayloadCanonical;

    /// <summary>Decodes a full-form PASSporT.</summary>
    /// <exception cref="PassportFormatException">The token is not a well-formed ES256 JWS; the message says where and why.</exception>
    public static PassportJws Decode(string token, PassportParseOptions options)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(options);
        if (token.Length > 0 && token.Length <= options.MaxTokenLength && token.StartsWith("..", StringComparison.Ordinal) && token.AsSpan().Count('.') == 2)
        {
            throw new PassportFormatException(
                PassportPart.Token,
                string.Empty,
                "compact form (\"..signature\"): the header and claims must first be rebuilt from the signaling (RFC 8225 §7, Passport.FromCompactForm)");
        }

        try
        {
            return new PassportJws(CompactJws.Decode(token, options.MaxTokenLength, options.MaxHeaderBytes));
        }
        catch (JwsFormatException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>
    /// RFC 8225 §7: rebuilds the full form from a compact form (<c>..signature</c>) and the header and
    /// claims reconstructed from the signaling, serialized canonically (RFC 8225 §9).
    /// </summary>
    /// <exception cref="PassportFormatException">The compact form is malformed.</exception>
    /// <exception cref="ArgumentException">The JSON values have no canonical form (a fractional number).</exception>
    public static string Reconstruct(string compactForm, byte[] canonicalHeader, byte[] canonicalClaims)
    {
        ArgumentNullException.ThrowIfNull(compactForm);
        if (!compactForm.StartsWith("..", StringComparison.Ordinal) || compactForm.IndexOf('.', 2) >= 0)
        {
            throw new PassportFormatException(PassportPart.Token, string.Empty, "a compact form is \"..\" followed by the base64url signature (RFC 8225 §7)");
        }

        var signature = compactForm[2..];
        byte[] sig;
        try
        {
            sig = CompactJws.DecodeSegment(signature, JwsPart.Signature, int.MaxValue);
        }
        catch (JwsFormatException e)
        {
            throw Translate(e);
        }

        if (sig.Length != SignatureSize)
        {
            throw new PassportFormatException(PassportPart.Signature, string.Empty, $"an ES256 signature is {SignatureSize} bytes (R || S, RFC 7518 §3.4); this one has {sig.Length}");
        }

        return $"{StrictBase64.EncodeUrl(canonicalHeader)}.{StrictBase64.EncodeUrl(canonicalClaims)}.{signature}";
    }

    /// <summary>Reconstruct from any JSON values (they are canonicalized first).</summary>
    public static string Reconstruct(string compactForm, JsonElement header, JsonElement claims)
        => Reconstruct(compactForm, CanonicalJsonWriter.Serialize(header), CanonicalJsonWriter.Serialize(claims));

    /// <summary>RFC 7515 §5.2 step 8 with ES256 (RFC 7518 §3.4): the signature over the received signing input.</summary>
    public bool VerifySignature(ECDsa publicKey) => _jws.VerifySignature(publicKey);

    public void Dispose() => _jws.Dispose();

    /// <summary>The PASSporT error for a structural JWS fault, with the same part, field and reason.</summary>
    internal static PassportFormatException Translate(JwsFormatException e) => new(PartOf(e.Part), e.Field, e.Reason);

    internal static PassportPart PartOf(JwsPart part) => part switch
    {
        JwsPart.Token => PassportPart.Token,
        JwsPart.Header => PassportPart.Header,
        JwsPart.Payload => PassportPart.Claims,
        JwsPart.Signature => PassportPart.Signature,
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, null),
    };
}
