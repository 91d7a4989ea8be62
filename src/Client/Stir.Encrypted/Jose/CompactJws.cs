using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stir.Encrypted.Jose;

/// <summary>
/// A compact-serialized ES256 JWS (RFC 7515 §7.1) decoded and nothing more: three base64url segments, a 64-byte
/// signature, a header and a payload that are strict JSON objects (<see cref="StrictJson"/>). The bytes are
/// kept exactly as received, because the signature covers the received text, never a re-serialization. What
/// the header and payload must contain is the job of each format built on it (PASSporTs, key records).
/// </summary>
internal sealed class CompactJws : IDisposable
{
    /// <summary>RFC 7518 §3.4: an ES256 signature is R || S, 32 bytes each.</summary>
    public const int SignatureSize = 64;

    private readonly int _firstDot;
    private readonly int _secondDot;

    private CompactJws(string token, int firstDot, int secondDot, byte[] rawHeader, byte[] rawPayload, byte[] signature, JsonDocument header, JsonDocument payload)
    {
        Token = token;
        SigningInput = new byte[secondDot];
        _ = Encoding.ASCII.GetBytes(token.AsSpan(0, secondDot), SigningInput);
        _firstDot = firstDot;
        _secondDot = secondDot;
        RawHeader = rawHeader;
        RawPayload = rawPayload;
        Signature = signature;
        Header = header;
        Payload = payload;
        IsHeaderCanonical = CanonicalJsonWriter.IsCanonical(rawHeader, header.RootElement);
        IsPayloadCanonical = CanonicalJsonWriter.IsCanonical(rawPayload, payload.RootElement);
    }

    public string Token { get; }

    /// <summary>ASCII(BASE64URL(header) || '.' || BASE64URL(payload)): what ES256 signs (RFC 7515 §5.1 step 5).</summary>
    public byte[] SigningInput { get; }

    public string HeaderSegment => Token[.._firstDot];

    public string SignatureSegment => Token[(_secondDot + 1)..];

    public byte[] RawHeader { get; }

    public byte[] RawPayload { get; }

    public byte[] Signature { get; }

    public JsonDocument Header { get; }

    public JsonDocument Payload { get; }

    /// <summary>True when the header bytes are the canonical JSON (RFC 8225 §9) of what they hold.</summary>
    public bool IsHeaderCanonical { get; }

    /// <summary>True when the payload bytes are the canonical JSON (RFC 8225 §9) of what they hold.</summary>
    public bool IsPayloadCanonical { get; }

    /// <summary>Decodes a compact JWS; the caller disposes it.</summary>
    /// <param name="token">The token as received.</param>
    /// <param name="maxTokenLength">The longest token accepted, in characters.</param>
    /// <param name="maxHeaderBytes">The largest decoded header accepted, in bytes.</param>
    /// <exception cref="JwsFormatException">The token is not a well-formed ES256 JWS; the message says where and why.</exception>
    public static CompactJws Decode(string token, int maxTokenLength, int maxHeaderBytes)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length > maxTokenLength)
        {
            throw new JwsFormatException(JwsPart.Token, string.Empty, $"{token.Length} characters exceed the limit of {maxTokenLength}");
        }

        if (token.Length == 0)
        {
            throw new JwsFormatException(JwsPart.Token, string.Empty, "empty");
        }

        var dots = token.AsSpan().Count('.');
        if (dots != 2)
        {
            throw new JwsFormatException(JwsPart.Token, string.Empty, $"expected 3 segments (header.claims.signature) separated by '.', found {dots + 1}");
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = token.IndexOf('.', firstDot + 1);
        var rawHeader = DecodeSegment(token.AsSpan(0, firstDot), JwsPart.Header, maxHeaderBytes);
        var rawPayload = DecodeSegment(token.AsSpan(firstDot + 1, secondDot - firstDot - 1), JwsPart.Payload, int.MaxValue);
        var signature = DecodeSegment(token.AsSpan(secondDot + 1), JwsPart.Signature, int.MaxValue);
        if (signature.Length != SignatureSize)
        {
            throw new JwsFormatException(
                JwsPart.Signature,
                string.Empty,
                $"an ES256 signature is {SignatureSize} bytes (R || S, RFC 7518 §3.4); this one has {signature.Length}");
        }

        var header = StrictJson.ParseObject(rawHeader, JwsPart.Header);
        JsonDocument payload;
        try
        {
            payload = StrictJson.ParseObject(rawPayload, JwsPart.Payload);
        }
        catch
        {
            header.Dispose();
            throw;
        }

        return new CompactJws(token, firstDot, secondDot, rawHeader, rawPayload, signature, header, payload);
    }

    /// <summary>
    /// RFC 7515 §5.1 steps 1-8 for ES256: the full token from header and payload bytes (already canonical JSON)
    /// and a signer that returns the 64-byte R || S over the signing input.
    /// </summary>
    public static string Assemble(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var signingInput = $"{StrictBase64.EncodeUrl(header)}.{StrictBase64.EncodeUrl(payload)}";
        var signature = sign(Encoding.ASCII.GetBytes(signingInput));
        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException($"an ES256 signature is {SignatureSize} bytes, the signer returned {signature.Length}", nameof(sign));
        }

        return $"{signingInput}.{StrictBase64.EncodeUrl(signature)}";
    }

    /// <summary>Decodes one base64url segment with a size bound (also used to rebuild PASSporT compact forms).</summary>
    /// <exception cref="JwsFormatException">The segment is empty, too large or not canonical base64url.</exception>
    public static byte[] DecodeSegment(ReadOnlySpan<char> segment, JwsPart part, int maxBytes)
    {
        if (segment.Length == 0)
        {
            throw new JwsFormatException(part, string.Empty, "empty segment");
        }

        if ((long)segment.Length * 3 / 4 > maxBytes)
        {
            throw new JwsFormatException(part, string.Empty, $"{(long)segment.Length * 3 / 4} bytes exceed the limit of {maxBytes}");
        }

        return StrictBase64.TryDecodeUrl(segment, out var bytes, out var error)
            ? bytes
            : throw new JwsFormatException(part, string.Empty, error);
    }

    /// <summary>RFC 7515 §5.2 step 8 with ES256 (RFC 7518 §3.4): the signature over the received signing input.</summary>
    public bool VerifySignature(ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return publicKey.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public void Dispose()
    {
        Header.Dispose();
        Payload.Dispose();
    }
}
