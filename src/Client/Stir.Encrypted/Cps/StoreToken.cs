using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Stir.Encrypted.Jose;

namespace Stir.Encrypted.Cps;

/// <summary>
/// The storer token of spec/protocol.md §8 "Storer authentication": a compact ES256 JWS with header exactly
/// <c>{"alg":"ES256","typ":"stir-cps-store+jwt","x5c":[...]}</c> and claims exactly <c>aud</c> (the CPS base URL),
/// <c>bdh</c> (base64url SHA-256 of the raw request body), <c>iat</c> and <c>jti</c> (a UUID), both in canonical
/// JSON. It names no number: it says who stores, not for which call. Parsing checks the form only; the CPS checks
/// the chain, the signature and the claims' values.
/// </summary>
internal sealed class StoreToken
{
    public const string MediaType = "stir-cps-store+jwt";

    /// <summary>Longest token accepted, in characters: a header with a chain of 4 certificates fits comfortably.</summary>
    public const int MaxTokenLength = 16 * 1024;

    public const int MaxHeaderBytes = 12 * 1024;

    private static readonly string[] HeaderMembers = ["alg", "typ", "x5c"];
    private static readonly string[] ClaimMembers = ["aud", "bdh", "iat", "jti"];

    private StoreToken(IReadOnlyList<string> x5c, string aud, byte[] bdh, long iat, string jti, byte[] signingInput, byte[] signature)
    {
        X5c = x5c;
        Aud = aud;
        Bdh = bdh;
        Iat = iat;
        Jti = jti;
        SigningInput = signingInput;
        Signature = signature;
    }

    public IReadOnlyList<string> X5c { get; }

    public string Aud { get; }

    /// <summary>The SHA-256 of the body the token was made for, 32 bytes.</summary>
    public byte[] Bdh { get; }

    public long Iat { get; }

    public string Jti { get; }

    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    /// <summary>RFC 7515 §5.2 step 8 with ES256 over the received signing input.</summary>
    public bool VerifySignature(ECDsa publicKey) =>
        publicKey.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Signs a token for one store of <paramref name="body"/> to the CPS at <paramref name="audience"/>.</summary>
    public static string Create(CpsStorerCredential credential, string audience, ReadOnlySpan<byte> body, DateTimeOffset now, Guid jti)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(audience);
        var header = new CanonicalJsonWriter();
        header.WriteObject(
        [
            new("alg", w => w.WriteString("ES256")),
            new("typ", w => w.WriteString(MediaType)),
            new("x5c", w => w.WriteArray(credential.X5c, (w2, c) => w2.WriteString(c))),
        ]);
        var bdh = StrictBase64.EncodeUrl(SHA256.HashData(body));
        var claims = new CanonicalJsonWriter();
        claims.WriteObject(
        [
            new("aud", w => w.WriteString(audience)),
            new("bdh", w => w.WriteString(bdh)),
            new("iat", w => w.WriteInteger(now.ToUnixTimeSeconds())),
            new("jti", w => w.WriteString(jti.ToString("D", CultureInfo.InvariantCulture))),
        ]);
        return CompactJws.Assemble(header.WrittenSpan, claims.WrittenSpan, input => credential.Key.Sign(input));
    }

    /// <summary>Reads a token strictly: the exact members, canonical JSON, well-formed values.</summary>
    /// <exception cref="StoreTokenFormatException">The token breaks a rule of the format; the message names it.</exception>
    public static StoreToken Parse(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        CompactJws jws;
        try
        {
            jws = CompactJws.Decode(token, MaxTokenLength, MaxHeaderBytes);
        }
        catch (JwsFormatException e)
        {
            var part = e.Part switch { JwsPart.Header => "header", JwsPart.Payload => "claims", JwsPart.Signature => "signature", _ => "token" };
            throw new StoreTokenFormatException(e.Field.Length == 0 ? part : $"{part}.{e.Field}", e.Reason);
        }

        using (jws)
        {
            var header = jws.Header.RootElement;
            ExactMembers(header, "header", HeaderMembers);
            if (header.GetProperty("alg") is not { ValueKind: JsonValueKind.String } alg || alg.GetString() != "ES256")
            {
                throw new StoreTokenFormatException("header.alg", $"{Show(header.GetProperty("alg"))} is not \"ES256\" (RFC 7518 §3.4), the only algorithm accepted");
            }

            if (header.GetProperty("typ") is not { ValueKind: JsonValueKind.String } typ || typ.GetString() != MediaType)
            {
                throw new StoreTokenFormatException("header.typ", $"{Show(header.GetProperty("typ"))} is not \"{MediaType}\" (a PASSporT or another JWS is not a store token)");
            }

            var x5cElement = header.GetProperty("x5c");
            if (x5cElement.ValueKind != JsonValueKind.Array || x5cElement.GetArrayLength() is 0 or > Certificates.CertificateChain.MaxCertificates)
            {
                throw new StoreTokenFormatException("header.x5c", $"must be an array of 1 to {Certificates.CertificateChain.MaxCertificates} base64 DER certificates (RFC 7515 §4.1.6), got {Show(x5cElement)}");
            }

            var x5c = new List<string>();
            foreach (var item in x5cElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw new StoreTokenFormatException($"header.x5c[{x5c.Count}]", $"must be a base64 string, got {Show(item)}");
                }

                x5c.Add(item.GetString()!);
            }

            if (!jws.IsHeaderCanonical)
            {
                throw new StoreTokenFormatException("header", "not in canonical JSON form (members sorted, no whitespace), so the same header could be signed in several spellings");
            }

            var claims = jws.Payload.RootElement;
            ExactMembers(claims, "claims", ClaimMembers);
            var aud = claims.GetProperty("aud");
            if (aud.ValueKind != JsonValueKind.String || aud.GetString()!.Length == 0)
            {
                throw new StoreTokenFormatException("claims.aud", $"must be the CPS base URL as a string, got {Show(aud)}");
            }

            var bdhElement = claims.GetProperty("bdh");
            if (bdhElement.ValueKind != JsonValueKind.String || !StrictBase64.TryDecodeUrl(bdhElement.GetString()!, out var bdh, out _) || bdh.Length != SHA256.HashSizeInBytes)
            {
                throw new StoreTokenFormatException("claims.bdh", $"must be the unpadded base64url SHA-256 of the body ({SHA256.HashSizeInBytes} bytes), got {Show(bdhElement)}");
            }

            var iatElement = claims.GetProperty("iat");
            if (iatElement.ValueKind != JsonValueKind.Number || !iatElement.TryGetInt64(out var iat) || iat < 0)
            {
                throw new StoreTokenFormatException("claims.iat", $"must be a non-negative integer NumericDate (RFC 7519 §2), got {Show(iatElement)}");
            }

            var jtiElement = claims.GetProperty("jti");
            if (jtiElement.ValueKind != JsonValueKind.String || !IsUuid(jtiElement.GetString()!))
            {
                throw new StoreTokenFormatException("claims.jti", $"must be a UUID in its lowercase textual form (RFC 9562 §4), got {Show(jtiElement)}");
            }

            if (!jws.IsPayloadCanonical)
            {
                throw new StoreTokenFormatException("claims", "not in canonical JSON form (members sorted, no whitespace), so the same claims could be signed in several spellings");
            }

            return new StoreToken(x5c, aud.GetString()!, bdh, iat, jtiElement.GetString()!, jws.SigningInput, jws.Signature);
        }
    }

    private static void ExactMembers(JsonElement element, string part, string[] members)
    {
        foreach (var member in element.EnumerateObject())
        {
            if (Array.IndexOf(members, member.Name) < 0)
            {
                throw new StoreTokenFormatException($"{part}.{member.Name}", $"not allowed; a store token's {part} has exactly {string.Join(", ", members.Select(m => $"\"{m}\""))}");
            }
        }

        foreach (var name in members)
        {
            if (!element.TryGetProperty(name, out _))
            {
                throw new StoreTokenFormatException($"{part}.{name}", "missing");
            }
        }
    }

    private static bool IsUuid(string text) =>
        text.Length == 36
        && Guid.TryParseExact(text, "D", out _)
        && text.All(c => c is '-' or (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static string Show(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "…";
    }
}
