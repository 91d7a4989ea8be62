namespace Stir.Encrypted.KeyRecords;

/// <summary>A document a directory served (records, bucket, snapshot, changes, configuration) is not what spec/protocol.md §10 describes.</summary>
public sealed class DirectoryDocumentFormatException : FormatException
{
    internal DirectoryDocumentFormatException(string document, string reason)
        : base($"directory {document}: {reason}")
    {
        Document = document;
        Reason = reason;
    }

    /// <summary>Which document: <c>records</c>, <c>bucket</c>, <c>snapshot</c>, <c>changes</c>, <c>config</c>, <c>receipt</c>.</summary>
    public string Document { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}
