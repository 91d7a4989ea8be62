using System.Diagnostics.CodeAnalysis;

namespace Stir.Encrypted.Discovery;

/// <summary>
/// The rules for a CPS or directory base URL, whether it comes from DNS (<c>x-stir-cps:https</c>,
/// <c>x-stir-dir:https</c>, spec/enumservices.md) or from configuration. It must be an absolute <c>https</c>
/// URL of printable ASCII with a host, without userinfo, query or fragment, and at most
/// <see cref="MaxLength"/> characters long. Plain <c>http</c> is accepted only to a loopback host, and only
/// when the caller allows it (local development).
/// </summary>
internal static class ServiceUrl
{
    public const int MaxLength = 2048;

    public static bool TryParse(string text, bool allowHttpOnLoopback, [NotNullWhen(true)] out Uri? url, [NotNullWhen(false)] out string? error)
    {
        url = null;
        if (text.Length > MaxLength)
        {
            error = $"the URL has {text.Length} characters (limit {MaxLength})";
            return false;
        }

        foreach (var c in text)
        {
            if (c is <= ' ' or > '~')
            {
                error = $"the URL holds U+{(int)c:X4}; only printable ASCII is allowed (RFC 6116 §5.1)";
                return false;
            }
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.IsFile || parsed.IsUnc)
        {
            error = "the URL is not absolute";
            return false;
        }

        var https = string.Equals(parsed.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal);
        var http = string.Equals(parsed.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal);
        if (!https && !(http && allowHttpOnLoopback && parsed.IsLoopback))
        {
            error = http
                ? (allowHttpOnLoopback ? "plain http is allowed only to a loopback host" : "the URL is http; it must be https (http only for loopback development, when allowed)")
                : $"the scheme is \"{parsed.Scheme}\"; it must be https";
            return false;
        }

        if (parsed.UserInfo.Length > 0)
        {
            error = "the URL carries userinfo (user:password@); it must not";
            return false;
        }

        if (parsed.Host.Length == 0)
        {
            error = "the URL has no host";
            return false;
        }

        if (parsed.Query.Length > 0 || parsed.Fragment.Length > 0 || text.Contains('?', StringComparison.Ordinal) || text.Contains('#', StringComparison.Ordinal))
        {
            error = "a base URL has no query or fragment";
            return false;
        }

        url = parsed;
        error = null;
        return true;
    }
}
