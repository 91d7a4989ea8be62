namespace Stir.Encrypted.Discovery;

/// <summary>A CPS or credential-directory base URL found for a number, with how it was found.</summary>
public sealed class DiscoveredUrl
{
    internal DiscoveredUrl(Uri url, DiscoverySource source, IReadOnlyList<string> chain, ushort? order, ushort? preference)
    {
        Url = url;
        Source = source;
        Chain = chain;
        Order = order;
        Preference = preference;
    }

    /// <summary>The base URL (absolute https; see spec/enumservices.md).</summary>
    public Uri Url { get; }

    /// <summary>DNS or the configured fallback.</summary>
    public DiscoverySource Source { get; }

    /// <summary>
    /// For a URL from DNS, the domains whose NAPTR rules led to it: the number's ENUM domain first, then each
    /// domain a non-terminal rule pointed to. The last one holds the terminal rule. Empty for a fallback.
    /// </summary>
    public IReadOnlyList<string> Chain { get; }

    /// <summary>The NAPTR ORDER of the terminal rule (DNS only).</summary>
    public ushort? Order { get; }

    /// <summary>The NAPTR PREFERENCE of the terminal rule (DNS only).</summary>
    public ushort? Preference { get; }
}
