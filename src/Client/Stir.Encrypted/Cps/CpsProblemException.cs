namespace Stir.Encrypted.Cps;

/// <summary>
/// A CPS answered with an error (spec/protocol.md §8, §13): its problem <see cref="Type"/> (the name after
/// <c>/problems/</c>), HTTP status, detail, and when to retry if it said so. Also raised when the CPS cannot be
/// reached or answers something that is not the protocol (<see cref="Type"/> <c>unreachable</c> or
/// <c>bad-response</c>), so callers handle one exception for "the CPS gave no usable answer".
/// </summary>
public sealed class CpsProblemException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CpsProblemException(string type, int status, string detail, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base($"CPS {type} ({(status == 0 ? "no response" : status.ToString(System.Globalization.CultureInfo.InvariantCulture))}): {detail}", innerException)
    {
        Type = type;
        Status = status;
        Detail = detail;
        RetryAfter = retryAfter;
    }

    /// <summary>The problem name, e.g. <c>bucket-full</c>, <c>rate-limited</c>, <c>unreachable</c>.</summary>
    public string Type { get; }

    /// <summary>The HTTP status, or 0 when there was no response.</summary>
    public int Status { get; }

    /// <summary>What the CPS said (or what went wrong reaching it).</summary>
    public string Detail { get; }

    /// <summary>The CPS's Retry-After, if any.</summary>
    public TimeSpan? RetryAfter { get; }
}
