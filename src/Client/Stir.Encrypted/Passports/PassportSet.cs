using System.Collections;

namespace Stir.Encrypted.Passports;

/// <summary>
/// The PASSporTs of one call, in order: e.g. a baseline and a SHAKEN PASSporT for the same orig, dest and
/// iat, plus the div PASSporTs of each retargeting (RFC 8946 §4.1), each carried in its own SIP Identity
/// header. <see cref="PassportVerifier.VerifyCallAsync(PassportSet, Telephony.TelephoneNumber?, CancellationToken)"/>
/// verifies them together and links the div chains.
/// </summary>
public sealed class PassportSet : IReadOnlyList<Passport>
{
    private readonly List<Entry> _entries = [];

    /// <summary>An empty set.</summary>
    public PassportSet()
    {
    }

    /// <summary>A set of the given PASSporTs, in order.</summary>
    public PassportSet(IEnumerable<Passport> passports)
    {
        ArgumentNullException.ThrowIfNull(passports);
        foreach (var passport in passports)
        {
            Add(passport);
        }
    }

    /// <inheritdoc/>
    public int Count => _entries.Count;

    /// <summary>The PASSporTs without a div claim: the originals of the call.</summary>
    public IEnumerable<Passport> Originals => this.Where(p => !PassportTypes.IsDiversion(p.Header.Ppt));

    /// <summary>The div and div-o PASSporTs.</summary>
    public IEnumerable<Passport> Diversions => this.Where(p => PassportTypes.IsDiversion(p.Header.Ppt));

    internal IReadOnlyList<Entry> Entries => _entries;

    /// <inheritdoc/>
    public Passport this[int index] => _entries[index].Passport;

    /// <summary>
    /// Parses the Identity header values (or bare tokens) of a call, keeping each header's parameters for the
    /// RFC 8224 §4.1 cross-check.
    /// </summary>
    /// <exception cref="PassportFormatException">A value is malformed (the first one found).</exception>
    public static PassportSet Parse(IEnumerable<string> identityValues, PassportParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(identityValues);
        var set = new PassportSet();
        foreach (var value in identityValues)
        {
            ArgumentNullException.ThrowIfNull(value, nameof(identityValues));
            if (SipIdentityHeader.LooksLikeHeader(value))
            {
                var header = SipIdentityHeader.Parse(value);
                set._entries.Add(new Entry(Passport.Parse(header.Token, options), header));
            }
            else
            {
                set.Add(Passport.Parse(value.Trim(), options));
            }
        }

        return set;
    }

    /// <summary>Appends a PASSporT.</summary>
    public void Add(Passport passport)
    {
        ArgumentNullException.ThrowIfNull(passport);
        _entries.Add(new Entry(passport, null));
    }

    /// <summary>The SIP Identity header values for the set, one per PASSporT (full form: div needs it, RFC 8946 §3).</summary>
    public IReadOnlyList<string> ToIdentityHeaders() => this.Select(p => p.ToIdentityHeader()).ToArray();

    /// <inheritdoc/>
    public IEnumerator<Passport> GetEnumerator() => _entries.Select(e => e.Passport).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal sealed record Entry(Passport Passport, SipIdentityHeader? IdentityHeader);
}
