namespace Stir.Encrypted.CpsService.Problems;

/// <summary>
/// The CPS's error taxonomy: every error a client can receive is one of these, answered as
/// <c>application/problem+json</c> (RFC 9457) with the stable <see cref="Type"/> URI. spec/api/problems.md
/// lists exactly these (a test compares the two).
/// </summary>
internal sealed class ProblemType
{
    /// <summary>The prefix of every problem type URI (spec/protocol.md §13).</summary>
    public const string UriPrefix = "https://stir-encrypted.org/problems/";

    public static readonly ProblemType BadEpoch = new("bad-epoch", 400, "The epoch is not a decimal epoch number");
    public static readonly ProblemType BadBucket = new("bad-bucket", 400, "The bucket is not a bucket of this CPS");
    public static readonly ProblemType MalformedRequest = new("malformed-request", 400, "The request is malformed");
    public static readonly ProblemType Unauthorized = new("unauthorized", 401, "The store is not authenticated as a trusted storer");
    public static readonly ProblemType NotFound = new("not-found", 404, "No such resource");
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", 405, "The resource does not support this method");
    public static readonly ProblemType BodyTooLarge = new("body-too-large", 413, "The request body is larger than this endpoint accepts");
    public static readonly ProblemType TooManyBlobs = new("too-many-blobs", 413, "The request stores more blobs than one store may");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", 415, "The request body has the wrong media type");
    public static readonly ProblemType EpochOutOfRange = new("epoch-out-of-range", 422, "The epoch is not accepted now");
    public static readonly ProblemType BadBlobSize = new("bad-blob-size", 422, "The blobs do not have an allowed size");
    public static readonly ProblemType RateLimited = new("rate-limited", 429, "Too many requests");
    public static readonly ProblemType StorerLimit = new("storer-limit", 429, "This storer holds as many live blobs in the bucket as one storer may");
    public static readonly ProblemType Internal = new("internal", 500, "The CPS failed to handle the request");
    public static readonly ProblemType BucketFull = new("bucket-full", 503, "The bucket holds as many real blobs as it can");
    public static readonly ProblemType BucketBusy = new("bucket-busy", 503, "The bucket changed under concurrent stores too often");
    public static readonly ProblemType Unavailable = new("unavailable", 503, "The CPS cannot reach its store");

    private ProblemType(string name, int status, string title)
    {
        Name = name;
        Status = status;
        Title = title;
        Type = new Uri(UriPrefix + name);
    }

    /// <summary>Every problem type the CPS can emit.</summary>
    public static IReadOnlyList<ProblemType> All { get; } =
    [
        BadEpoch, BadBucket, MalformedRequest, Unauthorized, NotFound, MethodNotAllowed, BodyTooLarge, TooManyBlobs,
        UnsupportedMediaType, EpochOutOfRange, BadBlobSize, RateLimited, StorerLimit, Internal, BucketFull, BucketBusy, Unavailable,
    ];

    /// <summary>The short name, the last segment of <see cref="Type"/>; also the metric label value.</summary>
    public string Name { get; }

    public int Status { get; }

    public string Title { get; }

    public Uri Type { get; }

    public override string ToString() => Name;
}
