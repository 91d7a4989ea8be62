using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Stir.Encrypted.Jose;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Passports;

/// <summary>
/// Assembles the header and claims of a PASSporT to sign: baseline (RFC 8225), SHAKEN (RFC 8588), div and
/// div-o (RFC 8946), with extension claims. Destinations are sorted, as RFC 8225 §5.2.1 recommends.
/// </summary>
/// <example>
/// <code>
/// var passport = new PassportBuilder()
///     .WithX5u("https://cert.example.net/sp.pem")
///     .WithOrig(TelephoneNumber.ParseE164("+12025550123"))
///     .AddDest(TelephoneNumber.ParseE164("+12025550199"))
///     .WithShaken("A", Guid.NewGuid())
///     .Sign(signer);
/// </code>
/// </example>
public sealed class PassportBuilder
{
    private readonly SortedSet<TelephoneNumber> _destTn = new(Comparer<TelephoneNumber>.Create((a, b) => string.CompareOrdinal(a.Value, b.Value)));
    private readonly SortedSet<string> _destUri = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, JsonElement> _extensions = new(CanonicalJsonWriter.NameOrder);
    private readonly List<ReadOnlyMemory<byte>> _x5c = [];
    private string? _x5u;
    private string? _ppt;
    private long? _iat;
    private PassportIdentity? _orig;
    private string? _attest;
    private string? _origId;
    private PassportIdentity? _div;
    private string? _divHi;
    private string? _opt;

    /// <summary>
    /// RFC 8946 §3-5: starts a div (or, with <paramref name="nestOriginal"/>, a div-o) PASSporT for a call
    /// retargeted away from <paramref name="divertedFrom"/>, one of the original's destinations. Copies
    /// <c>orig</c> and <c>iat</c> from the original and nothing else; add the new <c>dest</c> and the
    /// retargeting entity's certificate (which must cover <paramref name="divertedFrom"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="divertedFrom"/> is not in the original's <c>dest</c>.</exception>
    public static PassportBuilder ForDiversion(Passport original, PassportIdentity divertedFrom, bool nestOriginal = false)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(divertedFrom);
        if (!original.Claims.Dest.Contains(divertedFrom))
        {
            throw new ArgumentException(
                $"{divertedFrom} is not a destination of the original PASSporT ({original.Claims.Dest}); div names one of them (RFC 8946 §3)",
                nameof(divertedFrom));
        }

        var builder = new PassportBuilder().WithOrig(original.Claims.Orig).WithIat(original.Claims.Iat);
        return nestOriginal ? builder.WithDivO(divertedFrom, original) : builder.WithDiv(divertedFrom);
    }

    /// <summary>Sets <c>x5u</c>: the https URL of the signer's certificate chain (RFC 8225 §4.3).</summary>
    public PassportBuilder WithX5u(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!PassportHeader.IsAcceptableX5u(url, allowLoopbackHttp: true, out var why))
        {
            throw new ArgumentException($"x5u \"{url}\" {why}", nameof(url));
        }

        _x5u = url;
        return this;
    }

    /// <summary>Sets <c>x5c</c>: the signer's certificate chain itself, signer first (RFC 7515 §4.1.6).</summary>
    public PassportBuilder WithX5c(IEnumerable<X509Certificate2> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        _x5c.Clear();
        _x5c.AddRange(chain.Select(c => (ReadOnlyMemory<byte>)c.RawData));
        return this;
    }

    /// <summary>Sets <c>orig</c> to a telephone number (RFC 8225 §5.2.1.1).</summary>
    public PassportBuilder WithOrig(TelephoneNumber tn) => WithOrig(PassportIdentity.FromTn(tn));

    /// <summary>Sets <c>orig</c>.</summary>
    public PassportBuilder WithOrig(PassportIdentity orig)
    {
        ArgumentNullException.ThrowIfNull(orig);
        _orig = orig;
        return this;
    }

    /// <summary>Adds a called telephone number to <c>dest</c>.</summary>
    public PassportBuilder AddDest(TelephoneNumber tn) => AddDest(PassportIdentity.FromTn(tn));

    /// <summary>Adds a called identity to <c>dest</c>.</summary>
    public PassportBuilder AddDest(PassportIdentity dest)
    {
        ArgumentNullException.ThrowIfNull(dest);
        if (dest.Tn is not null)
        {
            _destTn.Add(dest.Tn);
        }
        else
        {
            _destUri.Add(dest.Uri!);
        }

        return this;
    }

    /// <summary>Sets <c>iat</c> (seconds since the epoch); by default the signer's clock gives it.</summary>
    public PassportBuilder WithIat(long iat)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iat);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iat, DateTimeOffset.MaxValue.ToUnixTimeSeconds());
        _iat = iat;
        return this;
    }

    /// <summary>Makes a SHAKEN PASSporT (ppt "shaken", RFC 8588): attestation level A, B or C, and origid.</summary>
    public PassportBuilder WithShaken(string attest, Guid origId)
    {
        ArgumentNullException.ThrowIfNull(attest);
        if (attest is not ("A" or "B" or "C"))
        {
            throw new ArgumentException($"attest is \"A\", \"B\" or \"C\" (RFC 8588 §4), not \"{attest}\"", nameof(attest));
        }

        _ppt = PassportTypes.Shaken;
        _attest = attest;
        _origId = origId.ToString("D");
        return this;
    }

    /// <summary>Makes a div PASSporT (RFC 8946 §3) diverted from <paramref name="divertedFrom"/>.</summary>
    public PassportBuilder WithDiv(PassportIdentity divertedFrom, string? historyInfoIndex = null)
    {
        ArgumentNullException.ThrowIfNull(divertedFrom);
        if (historyInfoIndex is { Length: 0 })
        {
            throw new ArgumentException("the History-Info index is a non-empty string such as \"1.2.1\"", nameof(historyInfoIndex));
        }

        _ppt = PassportTypes.Div;
        _div = divertedFrom;
        _divHi = historyInfoIndex;
        _opt = null;
        return this;
    }

    /// <summary>Makes a div-o PASSporT (RFC 8946 §5): like div, with <paramref name="original"/> nested in <c>opt</c>.</summary>
    public PassportBuilder WithDivO(PassportIdentity divertedFrom, Passport original)
    {
        ArgumentNullException.ThrowIfNull(divertedFrom);
        ArgumentNullException.ThrowIfNull(original);
        _ppt = PassportTypes.DivO;
        _div = divertedFrom;
        _divHi = null;
        _opt = original.Token;
        return this;
    }

    /// <summary>Adds an extension claim (e.g. <c>rcd</c>) with its JSON value; integers only (RFC 8225 §9).</summary>
    /// <exception cref="ArgumentException">The name is a claim this builder sets itself, is not ASCII, or the value has no canonical form.</exception>
    public PassportBuilder WithClaim(string name, JsonElement value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (PassportClaims.KnownNames.Contains(name))
        {
            throw new ArgumentException($"\"{name}\" is set through its own builder method", nameof(name));
        }

        if (!name.All(char.IsAscii))
        {
            throw new ArgumentException($"claim names are ASCII (RFC 8225 §5): \"{name}\"", nameof(name));
        }

        _ = CanonicalJsonWriter.Serialize(value); // throws ArgumentException for a fraction or a lone surrogate
        _extensions[name] = value.Clone();
        return this;
    }

    /// <summary>The header as set so far.</summary>
    /// <exception cref="InvalidOperationException">Neither x5u nor x5c is set.</exception>
    public PassportHeader BuildHeader()
    {
        if (_x5u is null && _x5c.Count == 0)
        {
            throw new InvalidOperationException("set x5u (or x5c): verifiers find the signer's certificate through it");
        }

        return new PassportHeader(_x5u, _x5c, _ppt);
    }

    /// <summary>The claims as set so far, with <c>iat</c> from <paramref name="timeProvider"/> unless set.</summary>
    /// <exception cref="InvalidOperationException">orig or dest is missing.</exception>
    public PassportClaims BuildClaims(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (_orig is null)
        {
            throw new InvalidOperationException("set orig: the calling identity (RFC 8225 §5.2.1)");
        }

        if (_destTn.Count == 0 && _destUri.Count == 0)
        {
            throw new InvalidOperationException("add at least one dest: the called identity (RFC 8225 §5.2.1)");
        }

        var iat = _iat ?? timeProvider.GetUtcNow().ToUnixTimeSeconds();
        return new PassportClaims(
            iat,
            _orig,
            PassportDestination.Create(_destTn, _destUri),
            _attest,
            _origId,
            _div,
            _divHi,
            _opt,
            new SortedDictionary<string, JsonElement>(_extensions, CanonicalJsonWriter.NameOrder));
    }

    /// <summary>Signs the PASSporT with <paramref name="signer"/> (whose clock gives <c>iat</c> unless set).</summary>
    public Passport Sign(PassportSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return signer.Sign(BuildHeader(), BuildClaims(signer.TimeProvider));
    }
}
