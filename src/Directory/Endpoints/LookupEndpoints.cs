using Microsoft.Extensions.Options;
using Stir.Encrypted.DirectoryService.Configuration;
using Stir.Encrypted.DirectoryService.Problems;
using Stir.Encrypted.DirectoryService.Storage;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.DirectoryService.Endpoints;

/// <summary>
/// The two online lookups (spec/protocol.md §10): exact, <c>GET /v1/numbers/{tn}/records</c>, which names the
/// number to the directory; and bucketed, <c>GET /v1/buckets/{bucket}</c>, which names only a bucket and always
/// answers exactly <c>bucketBytes</c> bytes, whether or not the number has records. Both return the current
/// unexpired records as published; clients verify each one.
/// </summary>
internal static class LookupEndpoints
{
    public const string ExactOperationId = "lookupNumber";
    public const string BucketOperationId = "lookupBucket";

    public static IEndpointRouteBuilder MapLookupEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/v1/numbers/{tn}/records", ExactAsync)
            .WithName(ExactOperationId)
            .WithTags("Lookup")
            .WithSummary("The current records covering one number (names the number to the directory)")
            .Produces(StatusCodes.Status200OK, contentType: DirectoryDocuments.Json)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        routes.MapGet("/v1/buckets/{bucket}", BucketAsync)
            .WithName(BucketOperationId)
            .WithTags("Lookup")
            .WithSummary("The current records of every number of a bucket, padded to a fixed size")
            .Produces(StatusCodes.Status200OK, contentType: DirectoryDocuments.Json)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static async Task<IResult> ExactAsync(string tn, IKeyRecordStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!TelephoneNumber.TryParseCanonical(tn, out var number, out var error))
        {
            return new ProblemResult(new Problem(ProblemType.BadNumber, $"{error.Message}; the path names a number in canonical form, e.g. /v1/numbers/12025550123/records"));
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var entries = await store.FindByNumberAsync(number, cancellationToken);
        var tokens = entries.Where(e => e.IsServedAt(now)).Select(e => e.Token);

        // Shared caches must not keep which numbers were looked up.
        return new BytesResult(StatusCodes.Status200OK, DirectoryDocuments.Records(tokens), DirectoryDocuments.Json) { CacheControl = "no-store" };
    }

    private static async Task<IResult> BucketAsync(string bucket, IKeyRecordStore store, IOptions<DirectoryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!KeyRecordBucket.TryParse(bucket, settings.BucketBits, out var value))
        {
            var digits = KeyRecordBucket.Digits(settings.BucketBits);
            return new ProblemResult(new Problem(ProblemType.BadBucket, $"\"{Shown(bucket)}\" is not a bucket: expected exactly {digits} lowercase hex digits below 2^{settings.BucketBits} (bucketBits {settings.BucketBits})"));
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var entries = await store.FindByBucketAsync(value.Value, cancellationToken);
        var status = await store.StatusAsync(cancellationToken);
        var tokens = entries.Where(e => e.IsServedAt(now)).Select(e => e.Token).ToList();
        var body = DirectoryDocuments.Bucket(bucket, tokens, status.Version, settings.BucketBytes);
        return new BytesResult(StatusCodes.Status200OK, body, DirectoryDocuments.Json) { CacheControl = "no-store" };
    }

    private static string Shown(string text) => text.Length <= 16 && text.All(c => c is > ' ' and < '\u007f' and not '"' and not '\\') ? text : "(not shown)";
}
