using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// A STIR end-entity certificate whose chain validated: what a verification service needs to check a
/// PASSporT signed with it (the ES256 key, the numbers it covers, the claim constraints).
/// </summary>
/// <remarks>The certificates are shared (a cache may hand the same instances to many callers): do not dispose them.</remarks>
public sealed class StirCertificate
{
    private readonly SpcAuthorization? _spcAuthorization;

    internal StirCertificate(IReadOnlyList<X509Certificate2> path, TNAuthList? tnAuthList, string? tnAuthListError, JwtClaimConstraints? claimConstraints, SpcAuthorization? spcAuthorization)
    {
        Path = path;
        TNAuthList = tnAuthList;
        TNAuthListError = tnAuthListError;
        ClaimConstraints = claimConstraints;
        _spcAuthorization = spcAuthorization;
        NotAfter = path.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }

    /// <summary>The signing certificate.</summary>
    public X509Certificate2 EndEntity => Path[0];

    /// <summary>The validated path, from the end entity to the trust anchor.</summary>
    public IReadOnlyList<X509Certificate2> Path { get; }

    /// <summary>The end entity's TNAuthList; null when absent or undecodable (see <see cref="TNAuthListError"/>): it then covers no number.</summary>
    public TNAuthList? TNAuthList { get; }

    /// <summary>Why <see cref="TNAuthList"/> is null, or null when it is set.</summary>
    public string? TNAuthListError { get; }

    /// <summary>
    /// The claim constraints the PASSporT verifier must enforce (RFC 9118 or RFC 8226 §8); null when the certificate
    /// has none, or when RFC 9118 §3 says to treat them as absent (a baseline claim in <c>mustExclude</c>).
    /// </summary>
    public JwtClaimConstraints? ClaimConstraints { get; }

    /// <summary>The earliest notAfter along the path: nothing derived from this validation outlives it.</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>A new instance of the end entity's P-256 public key, for ES256; the caller disposes it.</summary>
    public ECDsa CreatePublicKey() => EndEntity.GetECDsaPublicKey() ?? throw new InvalidOperationException("validated end entity has no ECDSA key");

    /// <summary>Whether the certificate authorizes <paramref name="number"/> (<see cref="TNAuthList.Covers"/>, with the validator's SPC authorization).</summary>
    /// <param name="number">The number, e.g. a PASSporT's <c>orig</c>.</param>
    /// <param name="reason">Which entry covers it, or why nothing does (names no number but the certificate's).</param>
    public bool Covers(TelephoneNumber number, out string reason)
    {
        ArgumentNullException.ThrowIfNull(number);
        if (TNAuthList is null)
        {
            reason = $"the certificate authorizes no number: {TNAuthListError}";
            return false;
        }

        return TNAuthList.Covers(number, _spcAuthorization, out reason);
    }

    /// <summary>The end entity's subject.</summary>
    public override string ToString() => EndEntity.Subject;
}
