namespace Stir.Encrypted.Discovery;

/// <summary>
/// The Services field of an ENUM NAPTR (RFC 6116 §3.4.3):
/// <code>
/// service-field = "E2U" 1*(servicespec)
/// servicespec   = "+" enumservice
/// enumservice   = type 0*(subtypespec)
/// subtypespec   = ":" subtype
/// type          = 1*32(ALPHA / DIGIT / "-")
/// subtype       = 1*32(ALPHA / DIGIT / "-")
/// </code>
/// Matching is case-insensitive (RFC 6116 §3.6), so enumservices come out in lower case.
/// </summary>
internal static class EnumServicesField
{
    private const int MaxTokenLength = 32;

    /// <summary>
    /// Whether the field belongs to ENUM at all. RFC 6116 §3.7 says records of other DDDS applications
    /// carry no E2U token, and §5.2 says clients must skip them without failing. The obsolete RFC 2916
    /// form <c>type+E2U</c> counts too: §5.2 says clients SHOULD still read it.
    /// </summary>
    public static bool IsEnum(string services)
    {
        var tokens = services.Split('+');
        return tokens.Length >= 2
            && (IsE2U(tokens[0]) || (tokens.Length == 2 && IsE2U(tokens[1])));
    }

    /// <summary>
    /// The enumservices of an ENUM Services field, left to right (RFC 6116 §3.4.3.2), each
    /// <c>type[:subtype…]</c> in lower case. A malformed enumservice is reported and skipped; the others of a
    /// compound field are still used (RFC 6116 §5.2).
    /// </summary>
    public static List<string> Parse(string services, List<string> errors)
    {
        var tokens = services.Split('+');
        var result = new List<string>(tokens.Length);
        IEnumerable<string> specs = IsE2U(tokens[0]) ? tokens.Skip(1) : [tokens[0]];
        foreach (var spec in specs)
        {
            if (TryNormalize(spec, out var enumservice, out var error))
            {
                result.Add(enumservice);
            }
            else
            {
                errors.Add(error);
            }
        }

        return result;
    }

    private static bool IsE2U(string token) => string.Equals(token, "E2U", StringComparison.OrdinalIgnoreCase);

    private static bool TryNormalize(string spec, out string enumservice, out string error)
    {
        enumservice = string.Empty;
        var parts = spec.Split(':');
        foreach (var part in parts)
        {
            if (part.Length is 0 or > MaxTokenLength || !part.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                error = $"RFC 6116 §3.4.3: enumservice \"{spec}\" is not type[:subtype] of 1-{MaxTokenLength} letters, digits and '-'";
                return false;
            }
        }

        enumservice = spec.ToLowerInvariant();
        error = string.Empty;
        return true;
    }
}
