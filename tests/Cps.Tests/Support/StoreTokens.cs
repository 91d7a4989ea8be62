using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Stir.Encrypted.Certificates;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// Storer tokens (spec/protocol.md §8 "Storer authentication") made by hand from their JSON text, independently of
/// the client library's signer, so that tests can build every malformed variant and check the two agree.
/// </summary>
internal static class StoreTokens
{
    public static string Header(DevelopmentCredential storer, string typ = "stir-cps-store+jwt", string alg = "ES256") => Header(storer.Chain, typ, alg);

    public static string Header(IEnumerable<X509Certificate2> chain, string typ = "stir-cps-store+jwt", string alg = "ES256") =>
        $"{{\"alg\":\"{alg}\",\"typ\":\"{typ}\",\"x5c\":[{string.Join(',', chain.Select(c => $"\"{Convert.ToBase64String(c.RawData)}\""))}]}}";

    public static string Claims(string aud, ReadOnlySpan<byte> body, long iat, string? jti = null) =>
        $"{{\"aud\":\"{aud}\",\"bdh\":\"{Base64Url(SHA256.HashData(body))}\",\"iat\":{iat.ToString(CultureInfo.InvariantCulture)},\"jti\":\"{jti ?? Guid.NewGuid().ToString("D")}\"}}";

    /// <summary>ES256 over ASCII(base64url(header) '.' base64url(claims)), RFC 7515 §5.1.</summary>
    public static string Sign(ECDsa key, string header, string claims)
    {
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header))}.{Base64Url(Encoding.UTF8.GetBytes(claims))}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    public static string Make(DevelopmentCredential storer, string aud, ReadOnlySpan<byte> body, DateTimeOffset now, string? jti = null) =>
        Sign(storer.PrivateKey, Header(storer), Claims(aud, body, now.ToUnixTimeSeconds(), jti));

    public static string Base64Url(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
