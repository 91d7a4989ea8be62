namespace Stir.Encrypted.KeyRecords;

/// <summary>A ledger file (<see cref="KeyRecordLedger"/>) is not what the ledger writes: the one exception type of that format.</summary>
public sealed class KeyRecordLedgerFormatException : FormatException
{
    internal KeyRecordLedgerFormatException(string path, string reason)
        : base($"ledger {path}: {reason}")
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}
