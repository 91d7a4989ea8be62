using System.Text;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>Keys, clocks and hand-made tokens for the PASSporT format tests.</summary>
internal static class PassportTestKit
{
    public const long Now = 1_800_000_000;

    public const string X5u = "https://cert.example.net/sp.pem";

    public static readonly TelephoneNumber Orig = TelephoneNumber.ParseCanonical("12025550123");

    public static readonly TelephoneNumber Dest = TelephoneNumber.ParseCanonical("12025550199");

    /// <summary>A valid signature-shaped 64 bytes, for tokens whose signature is never checked.</summary>
    public static readonly string DummySignature = B64(new byte[64]);

    public static FakeTimeProvider ClockAt(long unixSeconds) => new(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

    public static string B64(string json) => B64(Encoding.UTF8.GetBytes(json));

    public static string B64(byte[] bytes) => StrictBase64.EncodeUrl(bytes);

    /// <summary>A token from header and claims JSON text, signed with nothing (a zero signature) unless given.</summary>
    public static string Craft(string headerJson, string claimsJson, string? signature = null)
        => $"{B64(headerJson)}.{B64(claimsJson)}.{signature ?? DummySignature}";

    public const string GoodHeader = "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.net/sp.pem\"}";

    public const string GoodClaims = "{\"dest\":{\"tn\":[\"12025550199\"]},\"iat\":1800000000,\"orig\":{\"tn\":\"12025550123\"}}";

    public static PassportBuilder Basic() => new PassportBuilder().WithX5u(X5u).WithOrig(Orig).AddDest(Dest);

    /// <summary>A signing key with a verifier that trusts it (covering every number unless told) at a fixed time.</summary>
    internal sealed class Rig : IDisposable
    {
        public Rig(long now = Now, IEnumerable<TelephoneNumber>? covered = null, PassportVerifierOptions? options = null)
        {
            Clock = ClockAt(now);
            Key = PassportSigningKey.Generate();
            Signer = new PassportSigner(Key, Clock);
            using var publicKey = Key.ExportPublicKey();
            Resolver = new StaticKeyCredentialResolver(publicKey, covered, "test signer");
            Verifier = new PassportVerifier(Resolver, options, Clock);
        }

        public FakeTimeProvider Clock { get; }

        public PassportSigningKey Key { get; }

        public PassportSigner Signer { get; }

        public StaticKeyCredentialResolver Resolver { get; }

        public PassportVerifier Verifier { get; }

        public Task<PassportVerdict> VerifyAsync(string token, TelephoneNumber? dest = null)
            => Verifier.VerifyAsync(token, dest, CancellationToken.None).AsTask();

        public void Dispose()
        {
            Key.Dispose();
            Resolver.Dispose();
        }
    }
}
