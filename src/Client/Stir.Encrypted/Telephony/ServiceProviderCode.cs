namespace Stir.Encrypted.Telephony;

/// <summary>
/// A Service Provider Code as a TNAuthList carries it (RFC 8226 §9: <c>ServiceProviderCode ::= IA5String</c>).
/// SHAKEN certificates carry exactly one, and ATIS-1000080 restricts it to <c>[A-Z0-9]+</c>; that profile
/// check is separate (<see cref="IsAtisConformant"/>) because RFC 8226 allows any IA5 text.
/// </summary>
public sealed class ServiceProviderCode : IEquatable<ServiceProviderCode>
{
    /// <summary>Wraps an SPC value. IA5String allows only ASCII, so anything else is rejected.</summary>
    /// <exception cref="TelephoneNumberFormatException"><paramref name="value"/> has a non-ASCII character.</exception>
    public ServiceProviderCode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] > 0x7F)
            {
                throw new TelephoneNumberFormatException(value, "an SPC is an IA5String: ASCII only", i);
            }
        }

        Value = value;
    }

    /// <summary>The code as written in the certificate.</summary>
    public string Value { get; }

    /// <summary>ATIS-1000080: an SPC is one or more upper-case letters or digits.</summary>
    public bool IsAtisConformant => Value.Length > 0 && Value.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c));

    /// <inheritdoc/>
    public bool Equals(ServiceProviderCode? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ServiceProviderCode);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>The code.</summary>
    public override string ToString() => Value;
}
