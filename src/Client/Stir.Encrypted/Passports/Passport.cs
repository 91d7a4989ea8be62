using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Stir.Encrypted.Jose;

namespace Stir.Encrypted.Passports;

/// <summary>
/// A PASSporT (RFC 8225): a signed JWS whose header and claims passed every schema rule of
/// <see cref="Parse(string, PassportParseOptions?)"/>, or one just signed by <see cref="PassportSigner"/>.
/// </summary>
/// <remarks>
/// The signature covers the header and claims bytes as received (<see cref="RawHeader"/>,
/// <see cref="RawClaims"/>), never a re-serialization, so a valid PASSporT whose JSON is not in RFC 8225 §9
/// canonical form (as JOSE libraries write it) still verifies; <see cref="IsHeaderCanonical"/> and
/// <see cref="AreClaimsCanonical"/> say whether it is. Canonical form matters only for the compact form
/// (RFC 8225 §7), where the verifier rebuilds the JSON and must arrive at the signed bytes.
/// </remarks>
public sealed class Passport
{
    private readonly byte[] _signingInput;
    private readonly byte[] _rawHeader;
    private readonly byte[] _rawClaims;
    private readonly byte[] _signature;

    internal Passport(PassportJws jws, PassportHeader header, PassportClaims claims, Passport? original)
        : this(jws.Token, jws.SigningInput, jws.RawHeader, jws.RawClaims, jws.Signature, jws.IsHeaderCanonical, jws.AreClaimsCanonical, header, claims, original)
    {
    }

    /// <summary>From parts already decoded and checked (the parser's, or a signer's that holds them all).</summary>
    internal Passport(
        string token,
        byte[] signingInput,
        byte[] rawHeader,
        byte[] rawClaims,
        byte[] signature,
        bool isHeaderCanonical,
        bool areClaimsCanonical,
        PassportHeader header,
        PassportClaims claims,
        Passport? original)
    {
        Token = token;
        _signingInput = signingInput;
        _rawHeader = rawHeader;
        _rawClaims = rawClaims;
        _signature = signature;
        IsHeaderCanonical = isHeaderCanonical;
        AreClaimsCanonical = areClaimsCanonical;
        CompactForm = string.Concat("..", token.AsSpan(token.LastIndexOf('.') + 1));
        Header = header;
        Claims = claims;
        Original = original;
    }

    /// <summary>The header.</summary>
    public PassportHeader Header { get; }

    /// <summary>The claims.</summary>
    public PassportClaims Claims { get; }

    /// <summary>The full form, <c>header.claims.signature</c> in base64url, exactly as received or signed.</summary>
    public string Token { get; }

    /// <summary>The compact form <c>..signature</c> (RFC 8225 §7).</summary>
    public string CompactForm { get; }

    /// <summary>The header JSON as received (the bytes the signature covers).</summary>
    public ReadOnlyMemory<byte> RawHeader => _rawHeader;

    /// <summary>The claims JSON as received (the bytes the signature covers).</summary>
    public ReadOnlyMemory<byte> RawClaims => _rawClaims;

    /// <summary>The ES256 signature, R || S (64 bytes).</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>True when <see cref="RawHeader"/> is in RFC 8225 §9 canonical form.</summary>
    public bool IsHeaderCanonical { get; }

    /// <summary>True when <see cref="RawClaims"/> is in RFC 8225 §9 canonical form.</summary>
    public bool AreClaimsCanonical { get; }

    /// <summary>For a div-o PASSporT, the original PASSporT nested in <c>opt</c> (RFC 8946 §5), parsed; otherwise null.</summary>
    public Passport? Original { get; }

    internal ReadOnlySpan<byte> SigningInput => _signingInput;

    /// <summary>Parses a full-form PASSporT strictly (see <see cref="PassportFormatException"/> for what is rejected).</summary>
    /// <exception cref="PassportFormatException">The token is malformed; <see cref="PassportFormatException.Problems"/> lists every rule it breaks.</exception>
    public static Passport Parse(string token, PassportParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(token);
        return PassportParser.Parse(token, options ?? PassportParseOptions.Default, nesting: 0);
    }

    /// <summary>Like <see cref="Parse(string, PassportParseOptions?)"/>, returning false and the reason instead of throwing.</summary>
    public static bool TryParse(
        string token,
        [NotNullWhen(true)] out Passport? passport,
        [NotNullWhen(false)] out PassportFormatException? error,
        PassportParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(token);
        try
        {
            passport = Parse(token, options);
            error = null;
            return true;
        }
        catch (PassportFormatException e)
        {
            passport = null;
            error = e;
            return false;
        }
    }

    /// <summary>
    /// RFC 8225 §7: the full PASSporT a compact form (<c>..signature</c>) stands for, given the header and
    /// claims the using protocol reconstructs from its signaling. They are serialized canonically; the
    /// result verifies only if the signer signed exactly that canonical form.
    /// </summary>
    /// <exception cref="PassportFormatException">The compact form is malformed.</exception>
    public static Passport FromCompactForm(string compactForm, PassportHeader header, PassportClaims claims, PassportParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(compactForm);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(claims);
        return Parse(PassportJws.Reconstruct(compactForm, header.ToCanonicalJson(), claims.ToCanonicalJson()), options);
    }

    /// <summary>
    /// Checks the ES256 signature over the signing input as received, and nothing else (no freshness, no
    /// authority): the building block <see cref="PassportVerifier"/> uses, and a tool for test vectors.
    /// </summary>
    /// <remarks>
    /// The curve is checked once per key object (exporting a key's parameters costs about a tenth of a
    /// verification and makes OpenSSL re-sync the key before its next use); its size is re-read on every call.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="publicKey"/> is not a P-256 key.</exception>
    public bool VerifySignature(ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        Es256.RequireP256Once(publicKey, nameof(publicKey));
        return VerifyP256Signature(publicKey);
    }

    /// <summary>
    /// The ES256 check alone, for a key the caller has already found to be on P-256 (<see cref="Es256.IsP256"/>
    /// exports the key's parameters, about as costly as a tenth of the verification itself).
    /// </summary>
    internal bool VerifyP256Signature(ECDsa p256Key) =>
        p256Key.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>
    /// The SIP Identity header field value carrying this PASSporT (RFC 8224 §4):
    /// <c>token;info=&lt;x5u&gt;;alg=ES256</c>, plus <c>;ppt="..."</c> for an extension (RFC 8224 §4.1).
    /// </summary>
    /// <param name="compact">Carry the compact form (RFC 8224 §4.1.1); extensions often need the full form.</param>
    /// <exception cref="InvalidOperationException">The header has no <c>x5u</c>, which the <c>info</c> parameter must mirror.</exception>
    public string ToIdentityHeader(bool compact = false)
    {
        if (Header.X5u is null)
        {
            throw new InvalidOperationException("the Identity header's info parameter mirrors x5u (RFC 8224 §4.1), and this PASSporT has none");
        }

        // RFC 8224 §4.1 ABNF: ident-type = "ppt" EQUAL token, so unquoted (the quoted form in the RFC 8588 and
        // RFC 8946 examples does not match the grammar; parsers, ours included, accept both).
        var value = $"{(compact ? CompactForm : Token)};info=<{Header.X5u}>;alg={Header.Alg}";
        return Header.Ppt is null ? value : $"{value};ppt={Header.Ppt}";
    }

    /// <summary>The full form.</summary>
    public override string ToString() => Token;
}
