namespace Stir.Encrypted.Jose;

/// <summary>
/// A structural fault of a compact JWS (segments, base64url, UTF-8, JSON, duplicate names, sizes). It never leaves
/// the library: each format built on <see cref="CompactJws"/> turns it into its own exception type (one per format,
/// CONVENTIONS.md), keeping <see cref="Part"/>, <see cref="Field"/> and <see cref="Reason"/>.
/// </summary>
internal sealed class JwsFormatException : FormatException
{
    public JwsFormatException(JwsPart part, string field, string reason)
        : base(field.Length == 0 ? $"{part}: {reason}" : $"{part} \"{field}\": {reason}")
    {
        Part = part;
        Field = field;
        Reason = reason;
    }

    public JwsPart Part { get; }

    /// <summary>The member at fault as a path inside its part, or empty when the part as a whole is at fault.</summary>
    public string Field { get; }

    public string Reason { get; }
}
