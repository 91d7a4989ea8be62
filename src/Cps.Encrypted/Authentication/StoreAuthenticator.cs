using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Cps;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Problems;

namespace Stir.Encrypted.CpsService.Authentication;

/// <summary>
/// Storer authentication (spec/protocol.md §8 "Storer authentication"), in the order the spec gives: strict
/// parse, chain to the trust anchors now, signature, <c>aud</c>, <c>iat</c> within the skew (all before the
/// body is read: <see cref="Begin"/>), then <c>bdh</c> against the SHA-256 computed while the body streamed in,
/// and <c>jti</c> unseen within the window (<see cref="Complete"/>). Every failure is <c>unauthorized</c> (401)
/// with a Bearer challenge whose description names the check, never a number.
/// </summary>
internal sealed class StoreAuthenticator
{
    private const string BearerPrefix = "Bearer ";
    private readonly StoreAuthenticationOptions _options;
    private readonly TimeProvider _time;
    private readonly StirChainValidator? _validator;
    private readonly JtiReplayCache? _replays;
    private readonly string? _audience;

    public StoreAuthenticator(IOptions<CpsOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options.Value.StoreAuthentication;
        _time = time;
        if (!_options.IsRequired)
        {
            return;
        }

        // Validated at start (CpsOptionsValidator loads the same file), so this reads.
        var anchors = CertificateChain.LoadTrustAnchors(_options.TrustAnchors!);
        // The storer's certificate identifies the storer; it need not cover any number (a TNAuthList, if present,
        // is still checked against its issuers'), because the token must name no number: it says who stores, not
        // for which call.
        _validator = new StirChainValidator(anchors, new StirChainValidatorOptions { TimeProvider = time, RequireTNAuthList = false });
        _replays = new JtiReplayCache(TimeSpan.FromSeconds(_options.JtiWindowSeconds), _options.MaxRememberedTokens);
        _audience = _options.NormalizedAudience;
    }

    public bool IsRequired => _options.IsRequired;

    /// <summary>
    /// The checks that need no body. Returns the token to complete, or the problem to answer; with a token,
    /// <paramref name="storerKeyHash"/> is SHA-256 of the storer certificate's SubjectPublicKeyInfo (who stores, for
    /// the storer cap: a new certificate for the same key is the same storer).
    /// </summary>
    public StoreToken? Begin(HttpRequest request, out Problem? problem, out byte[]? storerKeyHash)
    {
        storerKeyHash = null;
        ArgumentNullException.ThrowIfNull(request);
        problem = null;
        var headers = request.Headers[HeaderNames.Authorization];
        if (headers.Count == 0)
        {
            // RFC 6750 §3.1: a request without credentials gets the challenge without an error code.
            problem = new Problem(ProblemType.Unauthorized, "this CPS requires storer authentication: send Authorization: Bearer <store token> (spec §8)") { Challenge = "Bearer" };
            return null;
        }

        var value = headers.Count == 1 ? headers[0] ?? string.Empty : string.Empty;
        if (headers.Count != 1 || !value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            problem = Refuse("the Authorization header must be exactly one Bearer credential");
            return null;
        }

        StoreToken token;
        try
        {
            token = StoreToken.Parse(value[BearerPrefix.Length..].Trim(' '));
        }
        catch (StoreTokenFormatException e)
        {
            problem = Refuse($"malformed token: {e.Field}: {e.Reason}");
            return null;
        }

        var chain = _validator!.ValidateX5c(token.X5c);
        if (!chain.IsValid)
        {
            // The failure kind only: the validator's text may quote the certificate's TNAuthList.
            problem = Refuse($"the x5c chain is not accepted ({chain.Failure})");
            return null;
        }

        var endEntity = chain.Certificate!.EndEntity;
        using (var key = endEntity.GetECDsaPublicKey())
        {
            if (key is null || !token.VerifySignature(key))
            {
                problem = Refuse("the signature does not verify under the x5c end-entity key");
                return null;
            }
        }

        if (!string.Equals(token.Aud, _audience, StringComparison.Ordinal))
        {
            problem = Refuse($"aud does not name this CPS ({_audience})");
            return null;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - token.Iat) > _options.ClockSkewSeconds)
        {
            var how = token.Iat > now ? "in the future" : "old";
            problem = Refuse($"iat is {Math.Abs(now - token.Iat)} s {how} (limit {_options.ClockSkewSeconds} s)");
            return null;
        }

        storerKeyHash = SHA256.HashData(endEntity.PublicKey.ExportSubjectPublicKeyInfo());
        return token;
    }

    /// <summary>
    /// The checks that need the body: <c>bdh</c> equals <paramref name="bodyHash"/> (SHA-256 of the body as read),
    /// then the <c>jti</c> is remembered, or found already.
    /// </summary>
    public Problem? Complete(StoreToken token, ReadOnlySpan<byte> bodyHash)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!CryptographicOperations.FixedTimeEquals(token.Bdh, bodyHash))
        {
            return Refuse("bdh is not the SHA-256 of this request's body");
        }

        return _replays!.TryRemember(token.Jti, _time.GetUtcNow().ToUnixTimeMilliseconds(), out var retryAfter) switch
        {
            JtiOutcome.Fresh => null,
            JtiOutcome.Replayed => Refuse($"jti was already used within the last {_options.JtiWindowSeconds} s"),
            _ => new Problem(ProblemType.RateLimited, "this CPS node remembers as many recent store tokens as it can; retry after the time given") { RetryAfter = retryAfter },
        };
    }

    private static Problem Refuse(string description) => new(ProblemType.Unauthorized, description)
    {
        // RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E, so no quote or backslash.
        Challenge = $"Bearer error=\"invalid_token\", error_description=\"{Sanitize(description)}\"",
    };

    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '\'');
        }

        return builder.ToString();
    }
}
