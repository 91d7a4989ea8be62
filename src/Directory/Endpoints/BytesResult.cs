namespace Stir.Encrypted.DirectoryService.Endpoints;

/// <summary>
/// A body of exact bytes with a status, media type and optional caching headers: the directory's documents are
/// serialized once (canonical JSON, padded bucket answers, gzip snapshots) and sent as they are.
/// </summary>
internal sealed class BytesResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private readonly byte[] _body;

    public BytesResult(int status, byte[] body, string contentType)
    {
        StatusCode = status;
        _body = body;
        ContentType = contentType;
    }

    public int? StatusCode { get; }

    public string? ContentType { get; }

    public string? CacheControl { get; init; }

    public string? ContentEncoding { get; init; }

    public string? ETag { get; init; }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCode!.Value;
        response.ContentType = ContentType;
        response.ContentLength = _body.Length;
        if (CacheControl is not null)
        {
            response.Headers.CacheControl = CacheControl;
        }

        if (ContentEncoding is not null)
        {
            response.Headers.ContentEncoding = ContentEncoding;
        }

        if (ETag is not null)
        {
            response.Headers.ETag = ETag;
        }

        return response.Body.WriteAsync(_body, httpContext.RequestAborted).AsTask();
    }
}
