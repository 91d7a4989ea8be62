using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// Limits a certificate's issuer puts on the PASSporT claims its holder may sign: the Enhanced JWT Claim
/// Constraints extension of RFC 9118 (<c>mustInclude</c>, <c>permittedValues</c>, <c>mustExclude</c>) or the
/// original JWT Claim Constraints extension of RFC 8226 §8 (the first two only). A verification service
/// enforces them on every PASSporT the certificate signs (<see cref="Permits"/>).
/// </summary>
public sealed class JwtClaimConstraints
{
    /// <summary>RFC 9118 §3: <c>id-pe-eJWTClaimConstraints</c>.</summary>
    public const string EnhancedOid = StirOids.EnhancedJwtClaimConstraints;

    /// <summary>RFC 8226 §8: <c>id-pe-JWTClaimConstraints</c>.</summary>
    public const string Oid = StirOids.JwtClaimConstraints;

    private static readonly string[] BaselineClaims = ["iat", "orig", "dest"];

    internal JwtClaimConstraints(bool isEnhanced, IReadOnlyList<string> mustInclude, IReadOnlyList<JwtClaimPermittedValues> permittedValues, IReadOnlyList<string> mustExclude)
    {
        IsEnhanced = isEnhanced;
        MustInclude = mustInclude;
        PermittedValues = permittedValues;
        MustExclude = mustExclude;
    }

    /// <summary>True for the RFC 9118 extension, false for the RFC 8226 one.</summary>
    public bool IsEnhanced { get; }

    /// <summary>Claims every PASSporT must carry, besides <c>iat</c>, <c>orig</c> and <c>dest</c>.</summary>
    public IReadOnlyList<string> MustInclude { get; }

    /// <summary>Claims whose value, when present, must be one of a list.</summary>
    public IReadOnlyList<JwtClaimPermittedValues> PermittedValues { get; }

    /// <summary>Claims no PASSporT may carry (RFC 9118 only).</summary>
    public IReadOnlyList<string> MustExclude { get; }

    /// <summary>
    /// RFC 9118 §3 item 3: <c>mustExclude</c> names <c>iat</c>, <c>orig</c> or <c>dest</c>, so "the certificate
    /// MUST be treated as if the extension was not present"; <see cref="Permits"/> then allows everything.
    /// </summary>
    public bool ExcludesBaselineClaim => MustExclude.Any(c => BaselineClaims.Contains(c, StringComparer.Ordinal));

    /// <summary>Decodes an RFC 9118 <c>EnhancedJWTClaimConstraints</c> (the extension's <c>extnValue</c> contents).</summary>
    /// <exception cref="JwtClaimConstraintsFormatException">The bytes are not strict DER of the type.</exception>
    public static JwtClaimConstraints DecodeEnhanced(ReadOnlySpan<byte> der) => Decode(der, enhanced: true);

    /// <summary>Decodes an RFC 8226 §8 <c>JWTClaimConstraints</c> (the extension's <c>extnValue</c> contents).</summary>
    /// <exception cref="JwtClaimConstraintsFormatException">The bytes are not strict DER of the type.</exception>
    public static JwtClaimConstraints Decode(ReadOnlySpan<byte> der) => Decode(der, enhanced: false);

    /// <summary>
    /// Reads the claim constraints of a certificate: the RFC 9118 extension, or else the RFC 8226 one; null
    /// when it carries neither.
    /// </summary>
    /// <exception cref="JwtClaimConstraintsFormatException">
    /// An extension is malformed, appears twice, or both appear (RFC 9118 §6: they "MUST NOT both appear",
    /// and which one binds would be a guess).
    /// </exception>
    public static JwtClaimConstraints? FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        X509Extension? enhanced = null;
        X509Extension? original = null;
        foreach (var extension in certificate.Extensions)
        {
            switch (extension.Oid?.Value)
            {
                case EnhancedOid:
                    enhanced = enhanced is null ? extension : throw new JwtClaimConstraintsFormatException("EnhancedJWTClaimConstraints extension", "appears twice (RFC 5280 §4.2)");
                    break;
                case Oid:
                    original = original is null ? extension : throw new JwtClaimConstraintsFormatException("JWTClaimConstraints extension", "appears twice (RFC 5280 §4.2)");
                    break;
            }
        }

        if (enhanced is not null && original is not null)
        {
            throw new JwtClaimConstraintsFormatException("certificate", "carries both JWTClaimConstraints and EnhancedJWTClaimConstraints (RFC 9118 §6: MUST NOT both appear)");
        }

        return enhanced is not null ? DecodeEnhanced(enhanced.RawData)
            : original is not null ? Decode(original.RawData)
            : null;
    }

    /// <summary>
    /// Whether a PASSporT's claims satisfy the constraints (RFC 9118 §3, RFC 8226 §8). A permitted value
    /// matches only a JSON string equal to it (ordinal): the values are UTF8Strings.
    /// </summary>
    /// <param name="claims">The PASSporT payload, a JSON object.</param>
    /// <param name="reason">The first constraint broken, or why the claims pass.</param>
    public bool Permits(JsonElement claims, out string reason)
    {
        if (claims.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("the claims are a JSON object", nameof(claims));
        }

        if (ExcludesBaselineClaim)
        {
            reason = "constraints ignored: mustExclude names a baseline claim (RFC 9118 §3: treat the extension as absent)";
            return true;
        }

        foreach (var name in MustInclude)
        {
            if (!claims.TryGetProperty(name, out _))
            {
                reason = $"mustInclude: claim \"{name}\" is missing";
                return false;
            }
        }

        foreach (var permitted in PermittedValues)
        {
            if (claims.TryGetProperty(permitted.Claim, out var value)
                && (value.ValueKind != JsonValueKind.String || !permitted.Values.Contains(value.GetString()!, StringComparer.Ordinal)))
            {
                reason = $"permittedValues: claim \"{permitted.Claim}\" is {value.GetRawText()}, not one of {string.Join(", ", permitted.Values.Select(v => $"\"{JsonEncodedText.Encode(v)}\""))}";
                return false;
            }
        }

        foreach (var name in MustExclude)
        {
            if (claims.TryGetProperty(name, out _))
            {
                reason = $"mustExclude: claim \"{name}\" is present";
                return false;
            }
        }

        reason = "claims satisfy the constraints";
        return true;
    }

    /// <summary>DER of the RFC 9118 extension value (the development PKI issues certificates with it).</summary>
    internal byte[] EncodeEnhanced()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (MustInclude.Count > 0)
            {
                WriteNames(writer, 0, MustInclude);
            }

            if (PermittedValues.Count > 0)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                using (writer.PushSequence())
                {
                    foreach (var permitted in PermittedValues)
                    {
                        using (writer.PushSequence())
                        {
                            writer.WriteCharacterString(UniversalTagNumber.IA5String, permitted.Claim);
                            using (writer.PushSequence())
                            {
                                foreach (var value in permitted.Values)
                                {
                                    writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                                }
                            }
                        }
                    }
                }
            }

            if (MustExclude.Count > 0)
            {
                WriteNames(writer, 2, MustExclude);
            }
        }

        return writer.Encode();
    }

    /// <summary>A one-line summary: <c>mustInclude [confidence]; permittedValues confidence in {high, medium}; mustExclude [priority]</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (MustInclude.Count > 0)
        {
            parts.Add($"mustInclude [{string.Join(", ", MustInclude)}]");
        }

        if (PermittedValues.Count > 0)
        {
            parts.Add($"permittedValues {string.Join("; ", PermittedValues)}");
        }

        if (MustExclude.Count > 0)
        {
            parts.Add($"mustExclude [{string.Join(", ", MustExclude)}]");
        }

        return string.Join("; ", parts);
    }

    private static void WriteNames(AsnWriter writer, int tag, IReadOnlyList<string> names)
    {
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, tag, isConstructed: true)))
        using (writer.PushSequence())
        {
            foreach (var name in names)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, name);
            }
        }
    }

    // RFC 9118 Appendix A (EXPLICIT TAGS):
    //   EnhancedJWTClaimConstraints ::= SEQUENCE {
    //     mustInclude [0] JWTClaimNames OPTIONAL, permittedValues [1] JWTClaimValuesList OPTIONAL,
    //     mustExclude [2] JWTClaimNames OPTIONAL } -- at least one PRESENT
    //   JWTClaimValuesList ::= SEQUENCE SIZE (1..MAX) OF JWTClaimValues
    //   JWTClaimValues ::= SEQUENCE { claim JWTClaimName, values SEQUENCE SIZE (1..MAX) OF UTF8String }
    //   JWTClaimNames ::= SEQUENCE SIZE (1..MAX) OF JWTClaimName;  JWTClaimName ::= IA5String
    // RFC 8226 Appendix A's JWTClaimConstraints is the same without mustExclude.
    private static JwtClaimConstraints Decode(ReadOnlySpan<byte> der, bool enhanced)
    {
        var type = enhanced ? "EnhancedJWTClaimConstraints" : "JWTClaimConstraints";
        var element = type;
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            if (reader.HasData)
            {
                throw new JwtClaimConstraintsFormatException(type, "trailing bytes after the SEQUENCE");
            }

            IReadOnlyList<string> mustInclude = [];
            IReadOnlyList<JwtClaimPermittedValues> permittedValues = [];
            IReadOnlyList<string> mustExclude = [];
            var tag0 = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            var tag1 = new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true);
            var tag2 = new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true);
            if (sequence.HasData && sequence.PeekTag() == tag0)
            {
                element = "mustInclude";
                mustInclude = ReadNames(sequence.ReadSequence(tag0), element);
            }

            if (sequence.HasData && sequence.PeekTag() == tag1)
            {
                element = "permittedValues";
                var wrapper = sequence.ReadSequence(tag1);
                var list = wrapper.ReadSequence();
                NoMore(wrapper, element);
                var entries = new List<JwtClaimPermittedValues>();
                while (list.HasData)
                {
                    element = $"permittedValues[{entries.Count}]";
                    var entry = list.ReadSequence();
                    var claim = entry.ReadCharacterString(UniversalTagNumber.IA5String);
                    element += ".values";
                    var valuesReader = entry.ReadSequence();
                    NoMore(entry, element);
                    var values = new List<string>();
                    while (valuesReader.HasData)
                    {
                        values.Add(valuesReader.ReadCharacterString(UniversalTagNumber.UTF8String));
                    }

                    if (values.Count == 0)
                    {
                        throw new JwtClaimConstraintsFormatException(element, "SEQUENCE SIZE (1..MAX) violated (empty)");
                    }

                    entries.Add(new JwtClaimPermittedValues(claim, values));
                }

                if (entries.Count == 0)
                {
                    throw new JwtClaimConstraintsFormatException("permittedValues", "SEQUENCE SIZE (1..MAX) violated (empty)");
                }

                permittedValues = entries;
            }

            if (enhanced && sequence.HasData && sequence.PeekTag() == tag2)
            {
                element = "mustExclude";
                mustExclude = ReadNames(sequence.ReadSequence(tag2), element);
            }

            element = type;
            if (sequence.HasData)
            {
                var expected = enhanced ? "[0] mustInclude, [1] permittedValues, [2] mustExclude in order" : "[0] mustInclude, [1] permittedValues in order";
                throw new JwtClaimConstraintsFormatException(type, $"unexpected tag 0x{sequence.PeekEncodedValue().Span[0]:x2} (expected {expected})");
            }

            if (mustInclude.Count == 0 && permittedValues.Count == 0 && mustExclude.Count == 0)
            {
                throw new JwtClaimConstraintsFormatException(type, "no component present (the WITH COMPONENTS constraint requires at least one)");
            }

            return new JwtClaimConstraints(enhanced, mustInclude, permittedValues, mustExclude);
        }
        catch (AsnContentException e)
        {
            throw new JwtClaimConstraintsFormatException(element, $"not DER of {type}: {e.Message}", e);
        }
    }

    private static List<string> ReadNames(AsnReader wrapper, string element)
    {
        var list = wrapper.ReadSequence();
        NoMore(wrapper, element);
        var names = new List<string>();
        while (list.HasData)
        {
            names.Add(list.ReadCharacterString(UniversalTagNumber.IA5String));
        }

        return names.Count > 0 ? names : throw new JwtClaimConstraintsFormatException(element, "SEQUENCE SIZE (1..MAX) violated (empty)");
    }

    private static void NoMore(AsnReader reader, string element)
    {
        if (reader.HasData)
        {
            throw new JwtClaimConstraintsFormatException(element, "unexpected data after the value inside the explicit tag");
        }
    }
}
