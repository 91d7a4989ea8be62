namespace Stir.Encrypted.KeyRecords;

/// <summary>The directory's answer to a publication or revocation (spec/protocol.md §10 "Publish").</summary>
public sealed class DirectoryPublishResult
{
    internal DirectoryPublishResult(int status, long? version, string? problemType, string? detail)
    {
        Status = status;
        Version = version;
        ProblemType = problemType;
        Detail = detail;
    }

    /// <summary>Whether the entry is now the directory's current entry for its (holder, rid).</summary>
    public bool Accepted => Status is 200 or 201;

    /// <summary>Whether the identical entry was already current (200): nothing changed.</summary>
    public bool Unchanged => Status == 200;

    /// <summary>The HTTP status.</summary>
    public int Status { get; }

    /// <summary>The directory version after the publication (for an accepted one).</summary>
    public long? Version { get; }

    /// <summary>For a refusal: the problem type's short name (e.g. <c>not-covered</c>, <c>stale-seq</c>).</summary>
    public string? ProblemType { get; }

    /// <summary>For a refusal: the directory's explanation (the rule and the values).</summary>
    public string? Detail { get; }
}
