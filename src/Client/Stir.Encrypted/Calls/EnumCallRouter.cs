using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Calls;

/// <summary>
/// Finds the CPS through ENUM (RFC 6116, the <c>E2U+x-stir-cps:https</c> enumservice of spec/enumservices.md),
/// taking the first candidate in NAPTR order; the resolver's own fallback applies when DNS has nothing.
/// </summary>
public sealed class EnumCallRouter : ICallRouter
{
    private readonly EnumResolver _resolver;

    /// <summary>Routes through <paramref name="resolver"/>.</summary>
    public EnumCallRouter(EnumResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        _resolver = resolver;
    }

    /// <inheritdoc/>
    public async ValueTask<Uri> FindCpsAsync(TelephoneNumber called, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(called);
        EnumDiscoveryResult result;
        try
        {
            result = await _resolver.DiscoverAsync(called, cancellationToken);
        }
        catch (EnumLookupException e)
        {
            throw new CallRoutingException($"ENUM lookup failed and no fallback is configured: {e.Message}", e);
        }

        return result.Cps.Count > 0
            ? result.Cps[0].Url
            : throw new CallRoutingException($"ENUM has no CPS for the called number ({result.Problems.Count} problem(s) seen)");
    }
}
