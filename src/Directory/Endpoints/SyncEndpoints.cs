using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Stir.Encrypted.DirectoryService.Configuration;
using Stir.Encrypted.DirectoryService.Problems;
using Stir.Encrypted.DirectoryService.Storage;

namespace Stir.Encrypted.DirectoryService.Endpoints;

/// <summary>
/// Private lookups by copying the directory (spec/protocol.md §10 "Snapshot and changes"): <c>GET /v1/snapshot</c>
/// is every current entry at one version, gzip-compressed, with the version as strong <c>ETag</c>
/// (<c>If-None-Match</c> → 304); <c>GET /v1/changes?since=v</c> is every accepted publication and revocation after
/// v in order, or <c>changes-gone</c> (410) when the log no longer reaches back to v.
/// </summary>
internal static class SyncEndpoints
{
    public const string SnapshotOperationId = "getSnapshot";
    public const string ChangesOperationId = "getChanges";

    public static IEndpointRouteBuilder MapSyncEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/v1/snapshot", SnapshotAsync)
            .WithName(SnapshotOperationId)
            .WithTags("Sync")
            .WithSummary("Every current entry at the current version, as gzip-compressed JSON")
            .Produces(StatusCodes.Status200OK, contentType: DirectoryDocuments.Json)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status406NotAcceptable);
        routes.MapGet("/v1/changes", ChangesAsync)
            .WithName(ChangesOperationId)
            .WithTags("Sync")
            .WithSummary("The accepted publications and revocations after a version, in order")
            .Produces(StatusCodes.Status200OK, contentType: DirectoryDocuments.Json)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status410Gone);
        return routes;
    }

    private static async Task<IResult> SnapshotAsync(HttpContext context, IKeyRecordStore store, SnapshotCache cache)
    {
        // The snapshot is served gzip-coded only; RFC 9110 §12.5.3: no Accept-Encoding means any coding is acceptable.
        var accept = context.Request.Headers.AcceptEncoding;
        if (accept.Count > 0 && !AcceptsGzip(accept))
        {
            return new ProblemResult(new Problem(ProblemType.NotAcceptable, "the snapshot is served with Content-Encoding: gzip only; send Accept-Encoding: gzip (or none)"));
        }

        var snapshot = await cache.GetAsync(store, context.RequestAborted);
        if (IfNoneMatch(context.Request, snapshot.ETag))
        {
            context.Response.Headers.ETag = snapshot.ETag;
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return new BytesResult(StatusCodes.Status200OK, snapshot.Gzip, DirectoryDocuments.Json)
        {
            ContentEncoding = "gzip",
            ETag = snapshot.ETag,
            CacheControl = "no-cache",
        };
    }

    private static async Task<IResult> ChangesAsync(HttpContext context, IKeyRecordStore store, IOptions<DirectoryOptions> options)
    {
        var query = context.Request.Query["since"];
        if (query.Count != 1 || !IsVersion(query[0]!, out var since))
        {
            return new ProblemResult(new Problem(ProblemType.BadVersion, "the query must have exactly one since=<version>: a decimal number without sign or leading zero (the version of the snapshot or of the last changes applied)"));
        }

        var page = await store.ChangesAsync(since, options.Value.ChangesPerPage, context.RequestAborted);
        if (page is null)
        {
            var status = await store.StatusAsync(context.RequestAborted);
            var detail = since > status.Version
                ? $"version {since} is ahead of the directory's version {status.Version}; fetch the snapshot"
                : $"the change log starts at version {status.OldestRetained}, after {since}; fetch the snapshot";
            return new ProblemResult(new Problem(ProblemType.ChangesGone, detail)
            {
                Extensions = new Dictionary<string, System.Text.Json.Nodes.JsonNode?> { ["oldestRetained"] = status.OldestRetained, ["latest"] = status.Version },
            });
        }

        return new BytesResult(StatusCodes.Status200OK, DirectoryDocuments.Changes(since, page), DirectoryDocuments.Json) { CacheControl = "no-cache" };
    }

    private static bool IsVersion(string text, out long version)
    {
        version = 0;
        return text.Length is > 0 and <= 19 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0')
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    private static bool AcceptsGzip(Microsoft.Extensions.Primitives.StringValues header) =>
        StringWithQualityHeaderValue.TryParseList(header, out var codings)
        && codings.Any(c => (c.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || c.Value.Equals("*", StringComparison.Ordinal)) && (c.Quality ?? 1) > 0);

    // RFC 9110 §13.1.2: weak comparison; "*" matches any current representation.
    internal static bool IfNoneMatch(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0 || !EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }

        var current = EntityTagHeaderValue.Parse(etag);
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
    }
}
