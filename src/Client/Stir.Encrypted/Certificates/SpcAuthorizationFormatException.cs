namespace Stir.Encrypted.Certificates;

/// <summary>
/// An SPC authorization file (see <see cref="SpcAuthorization"/>) is malformed. The message names the file,
/// the JSON location (the SPC key and the index of the bad value) and the value, and says which rule it breaks.
/// </summary>
public sealed class SpcAuthorizationFormatException : FormatException
{
    internal SpcAuthorizationFormatException(string source, string location, string? value, string rule)
        : base(value is null ? $"{source}: {location}: {rule}" : $"{source}: {location}: {value}: {rule}")
    {
        SourceName = source;
        Location = location;
        Value = value;
        Rule = rule;
    }

    /// <summary>Where the JSON came from (a file path, or the name the caller gave).</summary>
    public string SourceName { get; }

    /// <summary>The JSON location at fault, e.g. <c>spc."709J"[1]</c>.</summary>
    public string Location { get; }

    /// <summary>The offending value as JSON text, when there is one.</summary>
    public string? Value { get; }

    /// <summary>The rule broken.</summary>
    public string Rule { get; }
}
