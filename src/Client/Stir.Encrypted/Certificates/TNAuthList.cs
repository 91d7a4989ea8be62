using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// The TN Authorization List of a STIR certificate (RFC 8226 §9, extension <c>id-pe-TNAuthList</c>
/// 1.3.6.1.5.5.7.1.26): the service provider codes, number ranges and single numbers the certificate
/// holder may sign for. In a CA certificate it limits what certificates below it may carry (RFC 9060 §4).
/// </summary>
/// <remarks>
/// Decoding is strict DER and never repairs: a list that does not decode authorizes nothing (see
/// <see cref="FromCertificate"/>). The one leniency is the one the module itself grants:
/// <c>TelephoneNumberRange</c> ends with the extension marker <c>...</c>, so components after <c>count</c>
/// are accepted if they are well-formed DER, and ignored (X.680 §52: a decoder of this version skips
/// extension additions). They are not kept, so re-encoding such a list drops them.
/// </remarks>
public sealed class TNAuthList : IEquatable<TNAuthList>
{
    /// <summary>The extension's object identifier, <c>id-pe-TNAuthList</c> (RFC 8226 §9).</summary>
    public const string Oid = StirOids.TNAuthList;

    private const byte SequenceTag = 0x30;
    private const byte IA5StringTag = 0x16;
    private const byte IntegerTag = 0x02;
    private const byte SpcTag = 0xA0;
    private const byte RangeTag = 0xA1;
    private const byte OneTag = 0xA2;
    private const string Root = "TNAuthorizationList";

    private readonly TNEntry[] _entries;

    /// <summary>Creates a list from its entries (at least one: <c>SEQUENCE SIZE (1..MAX)</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="entries"/> is empty or holds a null.</exception>
    public TNAuthList(IEnumerable<TNEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries];
        if (_entries.Length == 0)
        {
            throw new ArgumentException("a TNAuthList has at least one entry (SEQUENCE SIZE (1..MAX))", nameof(entries));
        }

        if (_entries.Any(e => e is null))
        {
            throw new ArgumentException("an entry is null", nameof(entries));
        }
    }

    /// <summary>The entries, in certificate order.</summary>
    public IReadOnlyList<TNEntry> Entries => _entries;

    /// <summary>Decodes the DER of a <c>TNAuthorizationList</c> (an extension's <c>extnValue</c> contents).</summary>
    /// <exception cref="TNAuthListFormatException">The bytes are not exactly one strict-DER <c>TNAuthorizationList</c>.</exception>
    public static TNAuthList Decode(ReadOnlySpan<byte> der) => new(DecodeEntries(der));

    /// <summary>Like <see cref="Decode"/>, returning false and the reason instead of throwing.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> der, [NotNullWhen(true)] out TNAuthList? list, [NotNullWhen(false)] out TNAuthListFormatException? error)
    {
        try
        {
            list = Decode(der);
            error = null;
            return true;
        }
        catch (TNAuthListFormatException e)
        {
            list = null;
            error = e;
            return false;
        }
    }

    /// <summary>
    /// Reads the TNAuthList extension of <paramref name="certificate"/>: null when there is none (CA
    /// certificates usually have none). A certificate with an undecodable list authorizes no number.
    /// </summary>
    /// <exception cref="TNAuthListFormatException">The extension is present but malformed, or present twice (RFC 5280 §4.2).</exception>
    public static TNAuthList? FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        X509Extension? found = null;
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == Oid)
            {
                if (found is not null)
                {
                    throw new TNAuthListFormatException("TNAuthList extension", "appears twice in the certificate (RFC 5280 §4.2: at most one instance of an extension)", 0);
                }

                found = extension;
            }
        }

        return found is null ? null : Decode(found.RawData);
    }

    /// <summary>The strict DER encoding of the list (an extension's <c>extnValue</c> contents).</summary>
    public byte[] Encode()
    {
        // RFC 8226 Appendix A: DEFINITIONS EXPLICIT TAGS, so [0]/[1]/[2] wrap the inner type's own TLV.
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var entry in _entries)
            {
                switch (entry)
                {
                    case TNEntry.Spc spc:
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                        {
                            writer.WriteCharacterString(UniversalTagNumber.IA5String, spc.Code.Value);
                        }

                        break;
                    case TNEntry.Range range:
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                        using (writer.PushSequence())
                        {
                            writer.WriteCharacterString(UniversalTagNumber.IA5String, range.Value.Start.Value);
                            writer.WriteInteger(range.Value.Count);
                        }

                        break;
                    case TNEntry.One one:
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true)))
                        {
                            writer.WriteCharacterString(UniversalTagNumber.IA5String, one.Number.Value);
                        }

                        break;
                }
            }
        }

        return writer.Encode();
    }

    /// <summary>The list as a certificate extension; non-critical, as RFC 8226 §9 specifies and deployments use.</summary>
    public X509Extension ToExtension() => new(Oid, Encode(), critical: false);

    /// <summary>
    /// The ATIS-1000080 (SHAKEN) profile findings, empty when the list conforms: exactly one entry, which is
    /// an SPC matching <c>[A-Z0-9]+</c>. These are profile rules on top of RFC 8226, which allows any list.
    /// </summary>
    public IReadOnlyList<string> GetAtisFindings()
    {
        var findings = new List<string>();
        if (_entries.Length != 1)
        {
            findings.Add("ATIS-1000080: TNAuthList shall contain exactly one entry");
        }

        if (_entries.Any(e => e is not TNEntry.Spc))
        {
            findings.Add("ATIS-1000080: entry is not an SPC");
        }

        foreach (var spc in _entries.OfType<TNEntry.Spc>())
        {
            if (!spc.Code.IsAtisConformant)
            {
                findings.Add($"ATIS-1000080: SPC {CertificateText.Quote(spc.Code.Value)} not [A-Z0-9]+");
            }
        }

        return findings;
    }

    /// <summary>
    /// Whether the list authorizes <paramref name="number"/>: a <c>one</c> entry equal to it, a <c>range</c>
    /// holding it (<see cref="TelephoneNumberRange.Contains(TelephoneNumber)"/>, same-length reading), or an
    /// <c>spc</c> whose numbers <paramref name="spcAuthorization"/> lists. An SPC alone covers nothing: what
    /// numbers an SPC holds is operator knowledge, not certificate content.
    /// </summary>
    /// <param name="number">The number to check.</param>
    /// <param name="spcAuthorization">The operator's SPC-to-numbers table, or null for none.</param>
    /// <param name="reason">Which entry covers the number, or why none does (names no number but the certificate's).</param>
    public bool Covers(TelephoneNumber number, SpcAuthorization? spcAuthorization, out string reason)
    {
        ArgumentNullException.ThrowIfNull(number);
        return TNAuthListScope.Covers(this, number, spcAuthorization, out reason);
    }

    /// <summary>
    /// RFC 9060 §4: whether every number <paramref name="child"/> stands for is within this list ("equal to or a
    /// subset of", "encompassed"). A child SPC is encompassed only by the same SPC; a child number or range by
    /// the union of this list's numbers, ranges and, through <paramref name="spcAuthorization"/>, SPCs.
    /// </summary>
    /// <param name="child">The delegate's list.</param>
    /// <param name="spcAuthorization">The operator's SPC-to-numbers table, or null for none.</param>
    /// <param name="reason">The first child entry outside this list, or that all are inside.</param>
    public bool Encompasses(TNAuthList child, SpcAuthorization? spcAuthorization, out string reason)
    {
        ArgumentNullException.ThrowIfNull(child);
        return TNAuthListScope.Encompasses(this, child, spcAuthorization, out reason);
    }

    /// <summary>
    /// Findings against RFC 8226 §9's range rule, empty when none: "count MUST NOT make the number increase
    /// in length", and count applies only to starts without <c>*</c> or <c>#</c>. Such lists still decode
    /// (the DER is valid); coverage reads ranges within the start's length only, so the excess covers nothing.
    /// </summary>
    public IReadOnlyList<string> GetRangeFindings()
    {
        var findings = new List<string>();
        foreach (var range in _entries.OfType<TNEntry.Range>().Select(r => r.Value))
        {
            if (!range.Start.IsNumeric)
            {
                findings.Add($"RFC 8226 §9: range {range}: count applies only to a start without '*' or '#'; it covers only its start");
            }
            else if (range.Last is { } last && TNAuthListScope.CountFromStart(range.Start, last) < range.Count)
            {
                findings.Add($"RFC 8226 §9: range {range} would increase the number length; only {range.Start.Value}..{last.Value} are covered");
            }
        }

        return findings;
    }

    /// <inheritdoc/>
    public bool Equals(TNAuthList? other) => other is not null && _entries.SequenceEqual(other._entries);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TNAuthList);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var entry in _entries)
        {
            hash.Add(entry);
        }

        return hash.ToHashCode();
    }

    /// <summary>The entries, comma-separated: <c>spc '709J', range 12025550100+100</c>.</summary>
    public override string ToString() => string.Join(", ", _entries.Select(e => e.ToString()));

    // RFC 8226 §9 / Appendix A:
    //   TNAuthorizationList ::= SEQUENCE SIZE (1..MAX) OF TNEntry
    //   TNEntry ::= CHOICE { spc [0] ServiceProviderCode, range [1] TelephoneNumberRange, one [2] TelephoneNumber }
    //   ServiceProviderCode ::= IA5String
    //   TelephoneNumberRange ::= SEQUENCE { start TelephoneNumber, count INTEGER (2..MAX), ... }
    //   TelephoneNumber ::= IA5String (SIZE (1..15)) (FROM ("0123456789#*"))
    private static List<TNEntry> DecodeEntries(ReadOnlySpan<byte> der)
    {
        if (der.IsEmpty)
        {
            throw new TNAuthListFormatException(Root, "no bytes", 0);
        }

        if (der[0] != SequenceTag)
        {
            throw new TNAuthListFormatException(Root, $"expected SEQUENCE (0x30), got 0x{der[0]:x2}", 0);
        }

        var outer = ReadHeader(der, 0, der.Length, Root);
        if (outer.End != der.Length)
        {
            throw new TNAuthListFormatException(Root, $"trailing bytes after TNAuthorizationList: {der.Length - outer.End} byte(s)", outer.End);
        }

        if (outer.ContentLength == 0)
        {
            throw new TNAuthListFormatException(Root, "SEQUENCE SIZE (1..MAX) violated (empty)", 0);
        }

        var entries = new List<TNEntry>();
        var offset = outer.ContentOffset;
        while (offset < outer.End)
        {
            var element = $"TNEntry #{entries.Count + 1}";
            var tag = der[offset];
            if (tag is not (SpcTag or RangeTag or OneTag))
            {
                var hint = tag is 0x80 or 0x81 or 0x82 ? "; a primitive context tag is the IMPLICIT-tag mistake: the module uses EXPLICIT TAGS" : string.Empty;
                throw new TNAuthListFormatException(element, $"unexpected tag 0x{tag:x2} (expected A0/A1/A2 explicit tags: [0] spc, [1] range, [2] one{hint})", offset);
            }

            var wrapper = ReadHeader(der, offset, outer.End, element);
            entries.Add(tag switch
            {
                SpcTag => new TNEntry.Spc(new ServiceProviderCode(ReadExplicitIA5(der, wrapper, $"{element} spc"))),
                OneTag => new TNEntry.One(ReadTelephoneNumber(der, ReadExplicitIA5Header(der, wrapper, $"{element} one"), $"{element} one")),
                _ => new TNEntry.Range(ReadRange(der, wrapper, $"{element} range")),
            });
            offset = wrapper.End;
        }

        return entries;
    }

    private static string ReadExplicitIA5(ReadOnlySpan<byte> der, DerHeader wrapper, string element) =>
        ReadIA5(der, ReadExplicitIA5Header(der, wrapper, element), element);

    // The [n] EXPLICIT wrapper holds exactly one IA5String TLV and nothing after it.
    private static DerHeader ReadExplicitIA5Header(ReadOnlySpan<byte> der, DerHeader wrapper, string element)
    {
        if (wrapper.ContentLength == 0)
        {
            throw new TNAuthListFormatException(element, "explicit tag is empty (expected IA5String (0x16) inside)", wrapper.Offset);
        }

        var inner = ReadIA5Header(der, wrapper.ContentOffset, wrapper.End, element);
        if (inner.End != wrapper.End)
        {
            throw new TNAuthListFormatException(element, $"{wrapper.End - inner.End} byte(s) after the IA5String inside the explicit tag", inner.End);
        }

        return inner;
    }

    private static DerHeader ReadIA5Header(ReadOnlySpan<byte> der, int offset, int limit, string element)
    {
        var tag = der[offset];
        if (tag != IA5StringTag)
        {
            var hint = tag == 0x36 ? " (a constructed IA5String is BER, not DER)" : string.Empty;
            throw new TNAuthListFormatException(element, $"expected IA5String (0x16), got tag 0x{tag:x2}{hint}", offset);
        }

        return ReadHeader(der, offset, limit, element);
    }

    private static string ReadIA5(ReadOnlySpan<byte> der, DerHeader header, string element)
    {
        var content = der.Slice(header.ContentOffset, header.ContentLength);
        var bad = content.IndexOfAnyInRange((byte)0x80, (byte)0xFF);
        if (bad >= 0)
        {
            throw new TNAuthListFormatException(element, $"non-ASCII byte 0x{content[bad]:x2} in IA5String", header.ContentOffset + bad);
        }

        // Second line of defence: System.Formats.Asn1 reads the same TLV under DER; it must agree.
        try
        {
            var text = AsnDecoder.ReadCharacterString(der.Slice(header.Offset, header.End - header.Offset), AsnEncodingRules.DER, UniversalTagNumber.IA5String, out var consumed);
            return consumed == header.End - header.Offset ? text : throw new AsnContentException("length mismatch");
        }
        catch (AsnContentException e)
        {
            throw new TNAuthListFormatException(element, $"not a DER IA5String ({e.Message})", header.Offset);
        }
    }

    private static TelephoneNumber ReadTelephoneNumber(ReadOnlySpan<byte> der, DerHeader header, string element)
    {
        var text = ReadIA5(der, header, element);
        if (text.Length is 0 or > TelephoneNumber.MaxLength || !text.All(TelephoneNumber.IsCanonicalChar))
        {
            throw new TNAuthListFormatException(element, $"TelephoneNumber {CertificateText.Quote(text)} violates SIZE(1..15) FROM(\"0123456789#*\")", header.Offset);
        }

        return TelephoneNumber.ParseCanonical(text);
    }

    private static TelephoneNumberRange ReadRange(ReadOnlySpan<byte> der, DerHeader wrapper, string element)
    {
        if (wrapper.ContentLength == 0 || der[wrapper.ContentOffset] != SequenceTag)
        {
            var got = wrapper.ContentLength == 0 ? "nothing" : $"tag 0x{der[wrapper.ContentOffset]:x2}";
            throw new TNAuthListFormatException(element, $"expected TelephoneNumberRange SEQUENCE (0x30) inside the explicit tag, got {got}", wrapper.ContentOffset);
        }

        var sequence = ReadHeader(der, wrapper.ContentOffset, wrapper.End, element);
        if (sequence.End != wrapper.End)
        {
            throw new TNAuthListFormatException(element, $"{wrapper.End - sequence.End} byte(s) after the SEQUENCE inside the explicit tag", sequence.End);
        }

        var startElement = $"{element}.start";
        if (sequence.ContentLength == 0)
        {
            throw new TNAuthListFormatException(startElement, "missing (the SEQUENCE is empty)", sequence.Offset);
        }

        var startHeader = ReadIA5Header(der, sequence.ContentOffset, sequence.End, startElement);
        var start = ReadTelephoneNumber(der, startHeader, startElement);

        var countElement = $"{element}.count";
        if (startHeader.End >= sequence.End)
        {
            throw new TNAuthListFormatException(countElement, "missing (the SEQUENCE ends after start)", startHeader.End);
        }

        if (der[startHeader.End] != IntegerTag)
        {
            throw new TNAuthListFormatException(countElement, $"expected INTEGER (0x02), got tag 0x{der[startHeader.End]:x2}", startHeader.End);
        }

        var countHeader = ReadHeader(der, startHeader.End, sequence.End, countElement);
        var count = ReadCount(der, countHeader, countElement);

        // The extension marker '...': later versions of the module may add components. Each must still
        // be one well-formed DER element; its meaning is unknown to this version, so it is skipped.
        var offset = countHeader.End;
        while (offset < sequence.End)
        {
            try
            {
                AsnDecoder.ReadEncodedValue(der[offset..sequence.End], AsnEncodingRules.DER, out _, out _, out var consumed);
                offset += consumed;
            }
            catch (AsnContentException e)
            {
                throw new TNAuthListFormatException($"{element} extension addition", $"not a DER element ({e.Message})", offset);
            }
        }

        return new TelephoneNumberRange(start, count);
    }

    private static long ReadCount(ReadOnlySpan<byte> der, DerHeader header, string element)
    {
        var content = der.Slice(header.ContentOffset, header.ContentLength);
        if (content.IsEmpty)
        {
            throw new TNAuthListFormatException(element, "INTEGER with no content octets (X.690 §8.3.1)", header.Offset);
        }

        // X.690 §8.3.2: the first nine bits are not all 0 or all 1.
        if (content.Length > 1 && ((content[0] == 0x00 && content[1] < 0x80) || (content[0] == 0xFF && content[1] >= 0x80)))
        {
            throw new TNAuthListFormatException(element, "non-minimal INTEGER (X.690 §8.3.2)", header.Offset);
        }

        if (!AsnDecoder.TryReadInt64(der.Slice(header.Offset, header.End - header.Offset), AsnEncodingRules.DER, out var count, out _))
        {
            var rule = content[0] >= 0x80 ? "a value below -2^63 violates INTEGER (2..MAX)" : "exceeds 2^63-1, more than any telephone number range can hold";
            throw new TNAuthListFormatException(element, rule, header.Offset);
        }

        if (count < TelephoneNumberRange.MinCount)
        {
            throw new TNAuthListFormatException(element, $"{count} violates INTEGER (2..MAX)", header.Offset);
        }

        return count;
    }

    private static DerHeader ReadHeader(ReadOnlySpan<byte> der, int offset, int limit, string element) =>
        DerHeader.TryRead(der, offset, limit, out var header, out var rule)
            ? header
            : throw new TNAuthListFormatException(element, rule!, offset);
}
