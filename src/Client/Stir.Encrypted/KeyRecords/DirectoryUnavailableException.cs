namespace Stir.Encrypted.KeyRecords;

/// <summary>
/// The directory gave no answer (network failure, timeout, a 5xx or unexpected status, a document that is not
/// what spec/protocol.md §10 describes) and the local cache had nothing fresh enough to answer instead.
/// </summary>
public sealed class DirectoryUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DirectoryUnavailableException()
        : this("the directory gave no answer")
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    public DirectoryUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a reason and its cause.</summary>
    public DirectoryUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
