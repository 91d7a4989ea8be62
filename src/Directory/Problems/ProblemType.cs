namespace Stir.Encrypted.DirectoryService.Problems;

/// <summary>
/// The directory's error taxonomy: every error a client can receive is one of these, answered as
/// <c>application/problem+json</c> (RFC 9457) with the stable <see cref="Type"/> URI. spec/api/problems.md lists
/// exactly these under "Credential directory" (a test compares the two).
/// </summary>
internal sealed class ProblemType
{
    /// <summary>The prefix of every problem type URI (spec/protocol.md §13).</summary>
    public const string UriPrefix = "https://stir-encrypted.org/problems/";

    public static readonly ProblemType MalformedRequest = new("malformed-request", 400, "The request is malformed");
    public static readonly ProblemType MalformedRecord = new("malformed-record", 400, "The key record is not well formed");
    public static readonly ProblemType BadNumber = new("bad-number", 400, "The number is not in canonical form");
    public static readonly ProblemType BadBucket = new("bad-bucket", 400, "The bucket is not a bucket of this directory");
    public static readonly ProblemType BadVersion = new("bad-version", 400, "The version is not a decimal version number");
    public static readonly ProblemType BadApex = new("bad-apex", 400, "The apex is not a domain name");
    public static readonly ProblemType HolderMismatch = new("holder-mismatch", 403, "The rid belongs to another holder");
    public static readonly ProblemType NotFound = new("not-found", 404, "No such resource");
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", 405, "The resource does not support this method");
    public static readonly ProblemType NotAcceptable = new("not-acceptable", 406, "The representation the request accepts cannot be served");
    public static readonly ProblemType StaleSeq = new("stale-seq", 409, "A higher seq of this rid is already stored");
    public static readonly ProblemType SeqConflict = new("seq-conflict", 409, "Another entry with this seq is already stored");
    public static readonly ProblemType ChangesGone = new("changes-gone", 410, "The changes since this version are no longer kept");
    public static readonly ProblemType BodyTooLarge = new("body-too-large", 413, "The request body is larger than this endpoint accepts");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", 415, "The request body has the wrong media type");
    public static readonly ProblemType UntrustedChain = new("untrusted-chain", 422, "The record's certificate chain is not trusted");
    public static readonly ProblemType BadSignature = new("bad-signature", 422, "The record's signature does not verify");
    public static readonly ProblemType IssuedInFuture = new("issued-in-future", 422, "The record's iat is in the future");
    public static readonly ProblemType BadValidity = new("bad-validity", 422, "The record's nbf is not before its exp");
    public static readonly ProblemType RecordExpired = new("record-expired", 422, "The record's exp has passed");
    public static readonly ProblemType ExceedsCertificate = new("exceeds-certificate", 422, "The record outlives its certificate chain");
    public static readonly ProblemType ValidityTooLong = new("validity-too-long", 422, "The record is valid for longer than this directory accepts");
    public static readonly ProblemType NotCovered = new("not-covered", 422, "The certificate does not cover every number of the record");
    public static readonly ProblemType UnsupportedSuite = new("unsupported-suite", 422, "The record's HPKE suite is not accepted");
    public static readonly ProblemType BadHpkeKey = new("bad-hpke-key", 422, "The record's HPKE public key is not valid for its suite");
    public static readonly ProblemType Internal = new("internal", 500, "The directory failed to handle the request");
    public static readonly ProblemType Unavailable = new("unavailable", 503, "The directory cannot reach its store");

    private ProblemType(string name, int status, string title)
    {
        Name = name;
        Status = status;
        Title = title;
        Type = new Uri(UriPrefix + name);
    }

    /// <summary>Every problem type the directory can emit.</summary>
    public static IReadOnlyList<ProblemType> All { get; } =
    [
        MalformedRequest, MalformedRecord, BadNumber, BadBucket, BadVersion, BadApex, HolderMismatch, NotFound,
        MethodNotAllowed, NotAcceptable, StaleSeq, SeqConflict, ChangesGone, BodyTooLarge, UnsupportedMediaType,
        UntrustedChain, BadSignature, IssuedInFuture, BadValidity, RecordExpired, ExceedsCertificate, ValidityTooLong,
        NotCovered, UnsupportedSuite, BadHpkeKey, Internal, Unavailable,
    ];

    /// <summary>The short name, the last segment of <see cref="Type"/>.</summary>
    public string Name { get; }

    public int Status { get; }

    public string Title { get; }

    public Uri Type { get; }

    public override string ToString() => Name;
}
