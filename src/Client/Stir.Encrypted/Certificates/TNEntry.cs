using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Certificates;

/// <summary>
/// One entry of a TNAuthList (RFC 8226 §9 <c>TNEntry</c>): a CHOICE of <see cref="Spc"/> <c>[0]</c>,
/// <see cref="Range"/> <c>[1]</c> or <see cref="One"/> <c>[2]</c>. The hierarchy is closed: these three are the only kinds.
/// </summary>
public abstract class TNEntry : IEquatable<TNEntry>
{
    private TNEntry()
    {
    }

    /// <inheritdoc/>
    public abstract bool Equals(TNEntry? other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TNEntry);

    /// <inheritdoc/>
    public abstract override int GetHashCode();

    /// <summary><c>spc [0] ServiceProviderCode</c>: all numbers of a service provider, known only through an <see cref="SpcAuthorization"/>.</summary>
    public sealed class Spc : TNEntry
    {
        /// <summary>Creates the entry.</summary>
        public Spc(ServiceProviderCode code)
        {
            ArgumentNullException.ThrowIfNull(code);
            Code = code;
        }

        /// <summary>The service provider code.</summary>
        public ServiceProviderCode Code { get; }

        /// <inheritdoc/>
        public override bool Equals(TNEntry? other) => other is Spc spc && spc.Code.Equals(Code);

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(0, Code);

        /// <summary><c>spc CODE</c>.</summary>
        public override string ToString() => $"spc {CertificateText.Quote(Code.Value)}";
    }

    /// <summary><c>range [1] TelephoneNumberRange</c>: <c>count</c> consecutive numbers from <c>start</c>.</summary>
    public sealed class Range : TNEntry
    {
        /// <summary>Creates the entry.</summary>
        public Range(TelephoneNumberRange value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Value = value;
        }

        /// <summary>The range.</summary>
        public TelephoneNumberRange Value { get; }

        /// <inheritdoc/>
        public override bool Equals(TNEntry? other) => other is Range range && range.Value.Equals(Value);

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(1, Value);

        /// <summary><c>range START+COUNT</c>.</summary>
        public override string ToString() => $"range {Value}";
    }

    /// <summary><c>one [2] TelephoneNumber</c>: a single number.</summary>
    public sealed class One : TNEntry
    {
        /// <summary>Creates the entry.</summary>
        public One(TelephoneNumber number)
        {
            ArgumentNullException.ThrowIfNull(number);
            Number = number;
        }

        /// <summary>The number.</summary>
        public TelephoneNumber Number { get; }

        /// <inheritdoc/>
        public override bool Equals(TNEntry? other) => other is One one && one.Number.Equals(Number);

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(2, Number);

        /// <summary><c>one NUMBER</c>.</summary>
        public override string ToString() => $"one {Number.Value}";
    }
}
