namespace Stir.Encrypted.CpsService.Storage;

/// <summary>
/// The store cannot be reached or cannot serve the request now (a cluster node down, a timeout, a cluster
/// without a master for a slot): the request is answered <c>unavailable</c> (503, Retry-After), never
/// <c>internal</c>, so that a client treats it like a CPS that is down. The message never names a key.
/// </summary>
internal sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
