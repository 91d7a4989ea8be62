using System.Text.Json;
using Stir.Encrypted.Jose;

namespace Stir.Encrypted.Passports;

/// <summary>
/// The PASSporT JOSE header (RFC 8225 §4): <c>alg</c> ES256, <c>typ</c> "passport", an optional <c>ppt</c>
/// (RFC 8225 §8.1), and where the signer's certificate is: <c>x5u</c> (a URL, RFC 7515 §4.1.5) and/or
/// <c>x5c</c> (the chain itself, RFC 7515 §4.1.6).
/// </summary>
public sealed class PassportHeader
{
    /// <summary>The only <c>alg</c> accepted: ECDSA P-256 with SHA-256 (RFC 8225 §4.2, RFC 7518 §3.4).</summary>
    public const string Es256 = "ES256";

    /// <summary>The <c>typ</c> of every PASSporT (RFC 8225 §4.1).</summary>
    public const string PassportTyp = "passport";

    /// <summary>
    /// A header for signing. <paramref name="x5u"/> must be an absolute https URL (http only for a loopback
    /// host, for test rigs); <paramref name="x5c"/>, when given, is the DER certificate chain, signer first.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Neither <paramref name="x5u"/> nor <paramref name="x5c"/> is given, the URL is not acceptable, a
    /// certificate is empty, or <paramref name="ppt"/> is not one of <see cref="PassportTypes.Supported"/>.
    /// </exception>
    public PassportHeader(string? x5u, IEnumerable<ReadOnlyMemory<byte>>? x5c = null, string? ppt = null)
    {
        var chain = (x5c ?? []).Select(c => c.ToArray()).ToArray();
        if (x5u is null && chain.Length == 0)
        {
            throw new ArgumentException("a PASSporT header names the signer's certificate: give x5u and/or x5c", nameof(x5u));
        }

        if (x5u is not null && !IsAcceptableX5u(x5u, allowLoopbackHttp: true, out var why))
        {
            throw new ArgumentException($"x5u \"{x5u}\" {why}", nameof(x5u));
        }

        if (chain.Any(c => c.Length == 0))
        {
            throw new ArgumentException("x5c holds an empty certificate", nameof(x5c));
        }

        if (ppt is not null && !PassportTypes.IsSupported(ppt))
        {
            throw new ArgumentException($"ppt \"{ppt}\" is not one of {string.Join(", ", PassportTypes.Supported)}", nameof(ppt));
        }

        X5u = x5u;
        X5c = Array.AsReadOnly(chain.Select(c => (ReadOnlyMemory<byte>)c).ToArray());
        Ppt = ppt;
    }

    private static X5uVerdict? _lastX5u;

    private PassportHeader(string? x5u, ReadOnlyMemory<byte>[] x5c, string? ppt)
    {
        X5u = x5u;
        X5c = Array.AsReadOnly(x5c);
        Ppt = ppt;
    }

    /// <summary>
    /// The header of a parsed PASSporT: the parser has already applied every rule of the public constructor
    /// (and stricter ones: x5u https unless loopback http is allowed, x5c present or x5u, ppt supported), and
    /// the certificates are its own fresh arrays, so they are neither checked nor copied again.
    /// </summary>
    internal static PassportHeader FromParsed(string? x5u, List<byte[]>? x5c, string? ppt)
        => new(x5u, x5c is null ? [] : x5c.ConvertAll(c => (ReadOnlyMemory<byte>)c).ToArray(), ppt);

    /// <summary>Always <see cref="Es256"/>: the parser rejects every other <c>alg</c>.</summary>
    public string Alg => Es256;

    /// <summary>Always <see cref="PassportTyp"/>.</summary>
    public string Typ => PassportTyp;

    /// <summary>The PASSporT type (<see cref="PassportTypes"/>), or null for a baseline PASSporT.</summary>
    public string? Ppt { get; }

    /// <summary>The URL of the signer's certificate (chain), exactly as in the header; null when absent.</summary>
    public string? X5u { get; }

    /// <summary>The DER certificates of <c>x5c</c>, signer first; empty when absent.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> X5c { get; }

    /// <summary>RFC 8225 §9 canonical JSON of this header: what gets signed.</summary>
    internal byte[] ToCanonicalJson()
    {
        var members = new List<KeyValuePair<string, Action<CanonicalJsonWriter>>>
        {
            new("alg", w => w.WriteString(Alg)),
            new("typ", w => w.WriteString(Typ)),
        };
        if (Ppt is not null)
        {
            members.Add(new("ppt", w => w.WriteString(Ppt)));
        }

        if (X5u is not null)
        {
            members.Add(new("x5u", w => w.WriteString(X5u)));
        }

        if (X5c.Count > 0)
        {
            members.Add(new("x5c", w => w.WriteArray(X5c, static (w2, c) => w2.WriteString(Convert.ToBase64String(c.Span)))));
        }

        var writer = new CanonicalJsonWriter();
        writer.WriteObject(members);
        return writer.ToArray();
    }

    /// <summary>The header as a JSON document (for display and tools): the canonical form, parsed.</summary>
    internal JsonDocument ToJsonDocument() => JsonDocument.Parse(ToCanonicalJson());

    // RFC 8225 §4.3 / RFC 7515 §4.1.5: the certificate is fetched from x5u, so it must be an absolute
    // URL whose transport has integrity protection: https. Plain http is allowed only to loopback
    // addresses and only when asked for, so test rigs can serve certificates without a TLS setup.
    internal static bool IsAcceptableX5u(string x5u, bool allowLoopbackHttp, out string reason)
    {
        // A verifier sees the same few signers' URLs over and over: the last answer is kept (an immutable
        // entry, so threads can share it), sparing a System.Uri parse per token. The check is a pure function.
        var last = _lastX5u;
        if (last is not null && last.AllowLoopbackHttp == allowLoopbackHttp && string.Equals(last.X5u, x5u, StringComparison.Ordinal))
        {
            reason = last.Reason;
            return last.IsAcceptable;
        }

        var acceptable = CheckX5u(x5u, allowLoopbackHttp, out reason);
        _lastX5u = new X5uVerdict(x5u, allowLoopbackHttp, acceptable, reason);
        return acceptable;
    }

    private static bool CheckX5u(string x5u, bool allowLoopbackHttp, out string reason)
    {
        if (!System.Uri.TryCreate(x5u, UriKind.Absolute, out var uri) || x5u.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            reason = "is not an absolute URL";
            return false;
        }

        if (string.Equals(uri.Scheme, "https", StringComparison.Ordinal) && uri.Host.Length > 0)
        {
            reason = string.Empty;
            return true;
        }

        if (allowLoopbackHttp && string.Equals(uri.Scheme, "http", StringComparison.Ordinal) && uri.IsLoopback)
        {
            reason = string.Empty;
            return true;
        }

        reason = allowLoopbackHttp
            ? "must be an absolute https URL (http only to a loopback address) (RFC 8225 §4.3, RFC 7515 §4.1.5)"
            : "must be an absolute https URL (RFC 8225 §4.3, RFC 7515 §4.1.5)";
        return false;
    }

    private sealed record X5uVerdict(string X5u, bool AllowLoopbackHttp, bool IsAcceptable, string Reason);
}
