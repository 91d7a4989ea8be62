namespace Stir.Encrypted.Discovery;

/// <summary>Where a discovered URL came from.</summary>
public enum DiscoverySource
{
    /// <summary>Nothing was found and no fallback is configured.</summary>
    None,

    /// <summary>ENUM NAPTR records in DNS.</summary>
    Dns,

    /// <summary>The statically configured fallback, because DNS gave nothing or failed.</summary>
    Fallback,
}
