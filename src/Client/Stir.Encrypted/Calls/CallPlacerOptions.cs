using System.Security.Cryptography.X509Certificates;
using Stir.Encrypted.Cps;
using Stir.Encrypted.Passports;

namespace Stir.Encrypted.Calls;

/// <summary>How a <see cref="CallPlacer"/> signs and stores.</summary>
public sealed class CallPlacerOptions
{
    /// <summary>Signs a PASSporT when the caller gives none (an authentication service); null to store only given PASSporTs (a gateway).</summary>
    public PassportSigner? Signer { get; init; }

    /// <summary>The URL of the signer's certificate chain, put in <c>x5u</c> (what SHAKEN uses; keeps blobs small).</summary>
    public string? SignerX5u { get; init; }

    /// <summary>The signer's chain, end entity first, put in <c>x5c</c> when there is no <see cref="SignerX5u"/>.</summary>
    public IReadOnlyList<X509Certificate2>? SignerChain { get; init; }

    /// <summary>The SHAKEN attestation (<c>A</c>, <c>B</c>, <c>C</c>, RFC 8588) of signed PASSporTs; null for a basic PASSporT.</summary>
    public string? Attest { get; init; } = "A";

    /// <summary>How the CPS is reached (timeouts, minimum index cost).</summary>
    public CpsClientOptions Cps { get; init; } = new();

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
