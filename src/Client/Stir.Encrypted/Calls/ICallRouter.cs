using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Calls;

/// <summary>
/// Finds the CPS that serves a called number (ENUM discovery, RFC 6116, or configuration). Caller and callee
/// both ask it about the called number, so they meet at the same CPS.
/// </summary>
public interface ICallRouter
{
    /// <summary>The CPS base URL for calls to <paramref name="called"/>; throws <see cref="CallRoutingException"/> when there is none.</summary>
    ValueTask<Uri> FindCpsAsync(TelephoneNumber called, CancellationToken cancellationToken);
}
