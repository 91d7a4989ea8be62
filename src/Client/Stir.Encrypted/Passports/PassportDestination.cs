using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Passports;

/// <summary>
/// The <c>dest</c> claim (RFC 8225 §5.2.1): one or more called identities, as a <c>"tn"</c> array and/or a
/// <c>"uri"</c> array, each non-empty when present.
/// </summary>
public sealed class PassportDestination
{
    private PassportDestination(IReadOnlyList<TelephoneNumber> tn, IReadOnlyList<string> uri)
    {
        Tn = tn;
        Uri = uri;
    }

    /// <summary>The called telephone numbers, in claim order (empty when <c>dest</c> has no <c>"tn"</c>).</summary>
    public IReadOnlyList<TelephoneNumber> Tn { get; }

    /// <summary>The called URIs, in claim order (empty when <c>dest</c> has no <c>"uri"</c>).</summary>
    public IReadOnlyList<string> Uri { get; }

    /// <summary>
    /// A destination of the given numbers and URIs, kept in the order given (the parser keeps the order
    /// of the token; <see cref="PassportBuilder"/> sorts, as RFC 8225 §5.2.1 recommends).
    /// </summary>
    /// <exception cref="ArgumentException">Both lists are empty, or a URI is not a URI.</exception>
    public static PassportDestination Create(IEnumerable<TelephoneNumber>? tn, IEnumerable<string>? uri = null)
    {
        var numbers = (tn ?? []).ToArray();
        var uris = (uri ?? []).ToArray();
        if (numbers.Length == 0 && uris.Length == 0)
        {
            throw new ArgumentException("dest needs at least one identity (RFC 8225 §5.2.1)", nameof(tn));
        }

        foreach (var n in numbers)
        {
            ArgumentNullException.ThrowIfNull(n, nameof(tn));
        }

        foreach (var u in uris)
        {
            ArgumentNullException.ThrowIfNull(u, nameof(uri));
            if (!PassportIdentity.IsUri(u, out var reason))
            {
                throw new ArgumentException($"\"{u}\" is not a URI identity: {reason}", nameof(uri));
            }
        }

        return new PassportDestination(Array.AsReadOnly(numbers), Array.AsReadOnly(uris));
    }

    /// <summary>True when <paramref name="identity"/> is one of the destinations (string equality of canonical forms).</summary>
    public bool Contains(PassportIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return identity.Tn is not null ? Tn.Contains(identity.Tn) : Uri.Contains(identity.Uri!, StringComparer.Ordinal);
    }

    /// <summary>True when <paramref name="number"/> is one of the called numbers.</summary>
    public bool Contains(TelephoneNumber number)
    {
        ArgumentNullException.ThrowIfNull(number);
        return Tn.Contains(number);
    }

    /// <summary>Every identity, numbers first: <c>tn 12155551213, uri sip:bob@example.com</c>.</summary>
    public override string ToString()
        => string.Join(", ", Tn.Select(t => "tn " + t.Value).Concat(Uri.Select(u => "uri " + u)));
}
