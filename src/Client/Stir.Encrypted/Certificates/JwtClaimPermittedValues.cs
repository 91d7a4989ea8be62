namespace Stir.Encrypted.Certificates;

/// <summary>One <c>permittedValues</c> entry: if the PASSporT has <see cref="Claim"/>, its value is one of <see cref="Values"/> (RFC 9118 §3 item 2).</summary>
public sealed class JwtClaimPermittedValues
{
    internal JwtClaimPermittedValues(string claim, IReadOnlyList<string> values)
    {
        Claim = claim;
        Values = values;
    }

    /// <summary>The claim name.</summary>
    public string Claim { get; }

    /// <summary>The values allowed for it (at least one).</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary><c>claim in {a, b}</c>.</summary>
    public override string ToString() => $"{Claim} in {{{string.Join(", ", Values)}}}";
}
