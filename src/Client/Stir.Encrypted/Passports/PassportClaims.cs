using System.Collections.ObjectModel;
using System.Text.Json;
using Stir.Encrypted.Jose;

namespace Stir.Encrypted.Passports;

/// <summary>
/// The claims set of a PASSporT: the baseline claims (<c>iat</c>, <c>orig</c>, <c>dest</c>; RFC 8225 §5),
/// the SHAKEN claims (<c>attest</c>, <c>origid</c>; RFC 8588 §4-5), the diversion claims (<c>div</c>,
/// <c>opt</c>; RFC 8946 §3, §6), and any other claims (e.g. <c>rcd</c>, <c>crn</c>) preserved as raw JSON.
/// </summary>
public sealed class PassportClaims
{
    internal PassportClaims(
        long iat,
        PassportIdentity orig,
        PassportDestination dest,
        string? attest,
        string? origId,
        PassportIdentity? div,
        string? divHi,
        string? opt,
        IReadOnlyDictionary<string, JsonElement> extensions)
    {
        Iat = iat;
        Orig = orig;
        Dest = dest;
        Attest = attest;
        OrigId = origId;
        Div = div;
        DivHi = divHi;
        Opt = opt;
        Extensions = extensions.Count == 0
            ? NoExtensions
            : new ReadOnlyDictionary<string, JsonElement>(new SortedDictionary<string, JsonElement>(extensions.ToDictionary(), CanonicalJsonWriter.NameOrder));
    }

    /// <summary>The usual case, shared: no extension claims (read-only, so one instance serves all).</summary>
    private static readonly ReadOnlyDictionary<string, JsonElement> NoExtensions = new(new SortedDictionary<string, JsonElement>(CanonicalJsonWriter.NameOrder));

    /// <summary>The names of the claims this type models; every other claim is an extension.</summary>
    internal static IReadOnlySet<string> KnownNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "iat", "orig", "dest", "attest", "origid", "div", "opt",
    };

    /// <summary><c>iat</c>: when the call was originated, as a NumericDate (seconds since the epoch, RFC 7519 §2).</summary>
    public long Iat { get; }

    /// <summary><see cref="Iat"/> as a point in time.</summary>
    public DateTimeOffset IssuedAt => DateTimeOffset.FromUnixTimeSeconds(Iat);

    /// <summary><c>orig</c>: the calling identity.</summary>
    public PassportIdentity Orig { get; }

    /// <summary><c>dest</c>: the called identities.</summary>
    public PassportDestination Dest { get; }

    /// <summary><c>attest</c> (RFC 8588 §4): "A", "B" or "C"; null when absent.</summary>
    public string? Attest { get; }

    /// <summary><c>origid</c> (RFC 8588 §5): a UUID string exactly as in the token; null when absent.</summary>
    public string? OrigId { get; }

    /// <summary><c>div</c> (RFC 8946 §3): the destination the call was diverted from; null when absent.</summary>
    public PassportIdentity? Div { get; }

    /// <summary><c>div.hi</c> (RFC 8946 §8): the History-Info index of the diversion; null when absent.</summary>
    public string? DivHi { get; }

    /// <summary><c>opt</c> (RFC 8946 §6): the original PASSporT, full form, nested in a div-o PASSporT; null when absent.</summary>
    public string? Opt { get; }

    /// <summary>Every other claim, by name, as raw JSON (its values are as received; see <see cref="Passport.RawClaims"/> for the signed bytes).</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; }

    /// <summary>RFC 8225 §9 canonical JSON of these claims: what gets signed.</summary>
    /// <exception cref="ArgumentException">An extension claim holds a non-integer number or a lone surrogate.</exception>
    internal byte[] ToCanonicalJson()
    {
        var members = new List<KeyValuePair<string, Action<CanonicalJsonWriter>>>
        {
            new("iat", w => w.WriteInteger(Iat)),
            new("orig", w => WriteIdentity(w, Orig, hi: null)),
            new("dest", WriteDest),
        };
        if (Attest is not null)
        {
            members.Add(new("attest", w => w.WriteString(Attest)));
        }

        if (OrigId is not null)
        {
            members.Add(new("origid", w => w.WriteString(OrigId)));
        }

        if (Div is not null)
        {
            members.Add(new("div", w => WriteIdentity(w, Div, DivHi)));
        }

        if (Opt is not null)
        {
            members.Add(new("opt", w => w.WriteString(Opt)));
        }

        foreach (var (name, value) in Extensions)
        {
            members.Add(new(name, w => w.WriteElement(value)));
        }

        var writer = new CanonicalJsonWriter();
        writer.WriteObject(members);
        return writer.ToArray();
    }

    private static void WriteIdentity(CanonicalJsonWriter w, PassportIdentity identity, string? hi)
    {
        var members = new List<KeyValuePair<string, Action<CanonicalJsonWriter>>> { new(identity.Kind, w2 => w2.WriteString(identity.Value)) };
        if (hi is not null)
        {
            members.Add(new("hi", w2 => w2.WriteString(hi)));
        }

        w.WriteObject(members);
    }

    private void WriteDest(CanonicalJsonWriter w)
    {
        var members = new List<KeyValuePair<string, Action<CanonicalJsonWriter>>>();
        if (Dest.Tn.Count > 0)
        {
            members.Add(new("tn", w2 => w2.WriteArray(Dest.Tn, static (w3, t) => w3.WriteString(t.Value))));
        }

        if (Dest.Uri.Count > 0)
        {
            members.Add(new("uri", w2 => w2.WriteArray(Dest.Uri, static (w3, u) => w3.WriteString(u))));
        }

        w.WriteObject(members);
    }
}
