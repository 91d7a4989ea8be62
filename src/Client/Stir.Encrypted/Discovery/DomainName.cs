using System.Diagnostics.CodeAnalysis;

namespace Stir.Encrypted.Discovery;

/// <summary>
/// Fully qualified domain names as the resolver compares and queries them: lower case, ending in a dot,
/// within the limits of RFC 1035 §2.3.4 (labels of 1-63 octets, at most 255 octets on the wire, which is 253
/// characters without the final dot). Labels hold letters, digits, '-' and '_' (RFC 2782 service labels).
/// Escaped octets are refused: a non-terminal rule that names such a domain is not followed.
/// </summary>
internal static class DomainName
{
    public const int MaxLength = 253;

    public static bool TryNormalize(string name, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        if (trimmed.Length == 0)
        {
            error = "the root domain is not a domain to query";
            return false;
        }

        if (trimmed.Length > MaxLength)
        {
            error = $"the name has {trimmed.Length} characters (limit {MaxLength})";
            return false;
        }

        foreach (var label in trimmed.Split('.'))
        {
            if (label.Length is 0 or > 63)
            {
                error = "a label is empty or longer than 63 characters";
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
                {
                    error = $"'{c}' is not a letter, digit, '-' or '_'";
                    return false;
                }
            }
        }

        normalized = trimmed.ToLowerInvariant() + ".";
        error = null;
        return true;
    }

    public static string Normalize(string name) =>
        TryNormalize(name, out var normalized, out var error) ? normalized : throw new ArgumentException($"\"{name}\" is not a domain name: {error}", nameof(name));
}
