namespace Stir.Encrypted.Cps;

/// <summary>A known-configurations file (<see cref="CpsClientOptions.KnownConfigurationsFile"/>) is not what the client writes: the one exception type of that format.</summary>
public sealed class KnownCpsConfigurationsFormatException : FormatException
{
    internal KnownCpsConfigurationsFormatException(string path, string reason)
        : base($"known CPS configurations {path}: {reason}")
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}
