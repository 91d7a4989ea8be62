namespace Stir.Encrypted.Calls;

/// <summary>No CPS could be found for a called number (no ENUM record, DNS failure without fallback).</summary>
public sealed class CallRoutingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CallRoutingException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
