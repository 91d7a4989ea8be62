using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Calls;

/// <summary>One CPS for every number: a deployment's configured CPS, or the fallback when DNS has nothing.</summary>
public sealed class StaticCallRouter : ICallRouter
{
    private readonly Uri _cps;

    /// <summary>Routes every call to <paramref name="cps"/>.</summary>
    public StaticCallRouter(Uri cps)
    {
        ArgumentNullException.ThrowIfNull(cps);
        _cps = cps;
    }

    /// <inheritdoc/>
    public ValueTask<Uri> FindCpsAsync(TelephoneNumber called, CancellationToken cancellationToken) => ValueTask.FromResult(_cps);
}
