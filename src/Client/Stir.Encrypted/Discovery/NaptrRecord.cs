using System.Globalization;

namespace Stir.Encrypted.Discovery;

/// <summary>
/// One NAPTR resource record's RDATA (RFC 3403 §4.1): the six fields a DDDS client reads. The strings are
/// the on-the-wire values (one backslash where master-file syntax shows two, RFC 6116 §4), as DNS gave them:
/// untrusted until the ENUM rules (RFC 6116 §3–§5) have been applied.
/// </summary>
public sealed class NaptrRecord : IEquatable<NaptrRecord>
{
    /// <summary>Creates a record from its RDATA fields.</summary>
    /// <param name="order">RFC 3403 §4.1 ORDER: the major sort key, lowest first.</param>
    /// <param name="preference">RFC 3403 §4.1 PREFERENCE: the minor sort key, lowest first.</param>
    /// <param name="flags">RFC 3403 §4.1 FLAGS; for ENUM, <c>u</c> (terminal) or empty (non-terminal).</param>
    /// <param name="services">RFC 3403 §4.1 SERVICES; for ENUM, <c>E2U+type:subtype…</c> (RFC 6116 §3.4.3).</param>
    /// <param name="regexp">RFC 3403 §4.1 REGEXP: the substitution expression of RFC 3402 §3.2.</param>
    /// <param name="replacement">RFC 3403 §4.1 REPLACEMENT: a domain name; <c>.</c> when unused.</param>
    internal NaptrRecord(ushort order, ushort preference, string flags, string services, string regexp, string replacement)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(regexp);
        ArgumentNullException.ThrowIfNull(replacement);
        Order = order;
        Preference = preference;
        Flags = flags;
        Services = services;
        Regexp = regexp;
        Replacement = replacement;
    }

    /// <summary>RFC 3403 §4.1 ORDER.</summary>
    public ushort Order { get; }

    /// <summary>RFC 3403 §4.1 PREFERENCE.</summary>
    public ushort Preference { get; }

    /// <summary>RFC 3403 §4.1 FLAGS.</summary>
    public string Flags { get; }

    /// <summary>RFC 3403 §4.1 SERVICES.</summary>
    public string Services { get; }

    /// <summary>RFC 3403 §4.1 REGEXP (wire form).</summary>
    public string Regexp { get; }

    /// <summary>RFC 3403 §4.1 REPLACEMENT.</summary>
    public string Replacement { get; }

    /// <inheritdoc/>
    public bool Equals(NaptrRecord? other) =>
        other is not null && Order == other.Order && Preference == other.Preference
        && string.Equals(Flags, other.Flags, StringComparison.Ordinal)
        && string.Equals(Services, other.Services, StringComparison.Ordinal)
        && string.Equals(Regexp, other.Regexp, StringComparison.Ordinal)
        && string.Equals(Replacement, other.Replacement, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NaptrRecord);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(Order, Preference, StringComparer.Ordinal.GetHashCode(Flags), StringComparer.Ordinal.GetHashCode(Services), StringComparer.Ordinal.GetHashCode(Regexp), StringComparer.Ordinal.GetHashCode(Replacement));

    /// <summary>
    /// The RDATA in master-file presentation (RFC 1035 §5.1, RFC 3403 §4.1):
    /// <c>100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .</c>, backslashes doubled.
    /// </summary>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Order} {Preference} {MasterFile.Quote(Flags)} {MasterFile.Quote(Services)} {MasterFile.Quote(Regexp)} {(Replacement.Length == 0 ? "." : Replacement)}");
}
