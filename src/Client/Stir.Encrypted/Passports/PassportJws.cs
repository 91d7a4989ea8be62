using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stir.Encrypted.Passports;

/// <summary>
/// A PASSporT decoded as a JWS and nothing more (RFC 7515 §7.1 compact serialization): three base64url
/// segments, a 64-byte signature, a header and a claims set that are strict JSON objects. The bytes are
/// kept exactly as received, because the signature covers the received text, never a re-serialization.
/// Schema rules (what the header and claims must contain) are <see cref="PassportParser"/>'s job.
/// </summary>
internal sealed class PassportJws : IDisposable
{
    /// <summary>RFC 7518 §3.4: an ES256 signature is R || S, 32 bytes each.</summary>
    public const int SignatureSize = 64;

    private PassportJws(string token, int firstDot, int secondDot, byte[] rawHeader, byte[] rawClaims, byte[] signature, JsonDocument header, JsonDocument claims)
    {
        Token = token;
        SigningInput = Encoding.ASCII.GetBytes(token[..secondDot]);
        HeaderSegment = token[..firstDot];
        SignatureSegment = token[(secondDot + 1)..];
        RawHeader = rawHeader;
        RawClaims = rawClaims;
        Signature = signature;
        Header = header;
        Claims = claims;
        IsHeaderCanonical = CanonicalJsonWriter.IsCanonical(rawHeader, header.RootElement);
        AreClaimsCanonical = CanonicalJsonWriter.IsCanonical(rawClaims, claims.RootElement);
    }

    public string Token { get; }

    /// <summary>ASCII(BASE64URL(header) || '.' || BASE64URL(claims)): what ES256 signs (RFC 7515 §5.1 step 5).</summary>
    public byte[] SigningInput { get; }

    public string HeaderSegment { get; }

    public string SignatureSegment { get; }

    public byte[] RawHeader { get; }

    public byte[] RawClaims { get; }

    public byte[] Signature { get; }

    public JsonDocument Header { get; }

    public JsonDocument Claims { get; }

    public bool IsHeaderCanonical { get; }

    public bool AreClaimsCanonical { get; }

    /// <summary>Decodes a full-form PASSporT.</summary>
    /// <exception cref="PassportFormatException">The token is not a well-formed ES256 JWS; the message says where and why.</exception>
    public static PassportJws Decode(string token, PassportParseOptions options)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(options);
        if (token.Length > options.MaxTokenLength)
        {
            throw new PassportFormatException(PassportPart.Token, string.Empty, $"{token.Length} characters exceed the limit of {options.MaxTokenLength}");
        }

        if (token.Length == 0)
        {
            throw new PassportFormatException(PassportPart.Token, string.Empty, "empty");
        }

        var dots = token.Count(c => c == '.');
        if (dots == 2 && token.StartsWith("..", StringComparison.Ordinal))
        {
            throw new PassportFormatException(
                PassportPart.Token,
                string.Empty,
                "compact form (\"..signature\"): the header and claims must first be rebuilt from the signaling (RFC 8225 §7, Passport.FromCompactForm)");
        }

        if (dots != 2)
        {
            throw new PassportFormatException(PassportPart.Token, string.Empty, $"expected 3 segments (header.claims.signature) separated by '.', found {dots + 1}");
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = token.IndexOf('.', firstDot + 1);
        var rawHeader = DecodeSegment(token.AsSpan(0, firstDot), PassportPart.Header, options.MaxHeaderBytes);
        var rawClaims = DecodeSegment(token.AsSpan(firstDot + 1, secondDot - firstDot - 1), PassportPart.Claims, int.MaxValue);
        var signature = DecodeSegment(token.AsSpan(secondDot + 1), PassportPart.Signature, int.MaxValue);
        if (signature.Length != SignatureSize)
        {
            throw new PassportFormatException(
                PassportPart.Signature,
                string.Empty,
                $"an ES256 signature is {SignatureSize} bytes (R || S, RFC 7518 §3.4); this one has {signature.Length}");
        }

        var header = StrictJsonReader.ParseObject(rawHeader, PassportPart.Header);
        JsonDocument claims;
        try
        {
            claims = StrictJsonReader.ParseObject(rawClaims, PassportPart.Claims);
        }
        catch
        {
            header.Dispose();
            throw;
        }

        return new PassportJws(token, firstDot, secondDot, rawHeader, rawClaims, signature, header, claims);
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
        var sig = DecodeSegment(signature, PassportPart.Signature, int.MaxValue);
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
    public bool VerifySignature(ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return publicKey.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public void Dispose()
    {
        Header.Dispose();
        Claims.Dispose();
    }

    private static byte[] DecodeSegment(ReadOnlySpan<char> segment, PassportPart part, int maxBytes)
    {
        if (segment.Length == 0)
        {
            throw new PassportFormatException(part, string.Empty, "empty segment");
        }

        if ((long)segment.Length * 3 / 4 > maxBytes)
        {
            throw new PassportFormatException(part, string.Empty, $"{(long)segment.Length * 3 / 4} bytes exceed the limit of {maxBytes}");
        }

        return StrictBase64.TryDecodeUrl(segment, out var bytes, out var error)
            ? bytes
            : throw new PassportFormatException(part, string.Empty, error);
    }
}
