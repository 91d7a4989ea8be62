namespace Stir.Encrypted.Discovery;

/// <summary>Where NAPTR RRsets come from: DNS in production, a cache in front of it, or a table in tests.</summary>
internal interface INaptrSource
{
    /// <summary>The NAPTR RRset of <paramref name="domain"/> (fully qualified, lower case).</summary>
    /// <exception cref="EnumLookupException">No usable answer (timeout, SERVFAIL, malformed or oversized response).</exception>
    Task<NaptrAnswer> QueryAsync(string domain, CancellationToken cancellationToken);
}
