using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Stir.Encrypted.CpsService.Abuse;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Observability;
using Stir.Encrypted.CpsService.Problems;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// <c>POST /v1/epochs/{epoch}/buckets/{bucket}?size={size}</c> (spec/protocol.md §8 "Store"): checks everything
/// before reading the body, reads at most the endpoint's limit, places the blobs in slots (§9 "Arrivals") and
/// answers 201 only after the store has durably appended them.
/// </summary>
internal static partial class StoreEndpoints
{
    public const string OperationId = "storeBlobs";
    private const string OctetStream = "application/octet-stream";

    public static IEndpointRouteBuilder MapStoreEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost("/v1/epochs/{epoch}/buckets/{bucket}", StoreAsync)
            .WithName(OperationId)
            .WithTags("Blobs")
            .WithSummary("Store 1 to maxBlobsPerStore real blobs of one size class in a bucket")
            .WithDescription("Body: application/octet-stream, k × size bytes. The blobs are durable when 201 is sent. A bucket holds at most slots − 1 real blobs per class.")
            .WithMetadata(new BodySizeLimit(routes.ServiceProvider))
            .RequireRateLimiting(CpsRateLimiting.StorePolicy)
            .Produces<StoreReceipt>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<IResult> StoreAsync(
        string epoch,
        string bucket,
        HttpContext context,
        CpsRuntimeProvider runtimes,
        IBlobStore store,
        TimeProvider time,
        CpsMetrics metrics,
        ILoggerFactory loggers)
    {
        var cancellationToken = context.RequestAborted;
        var logger = loggers.CreateLogger(typeof(StoreEndpoints).FullName!);
        var (runtime, unavailable) = await RuntimeAccess.GetAsync(runtimes, logger, cancellationToken);
        if (runtime is null)
        {
            return unavailable!;
        }

        var configuration = runtime.Configuration;
        if (!BucketAddress.TryParse(epoch, bucket, runtime, time.GetUtcNow().ToUnixTimeMilliseconds(), forStore: true, out var address, out var addressProblem))
        {
            return new ProblemResult(addressProblem!);
        }

        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals(OctetStream, StringComparison.OrdinalIgnoreCase))
        {
            var got = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : "another Content-Type";
            return Reject(ProblemType.UnsupportedMediaType, $"blobs are sent as {OctetStream}; the request has {got}");
        }

        var sizes = request.Query["size"];
        if (sizes.Count != 1)
        {
            return Reject(ProblemType.MalformedRequest, sizes.Count == 0
                ? $"the query parameter \"size\" is required (allowed sizes: {AllowedSizes(runtime)})"
                : "the query parameter \"size\" is given more than once");
        }

        var sizeClass = int.TryParse(sizes[0], NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? runtime.ClassOfSize(size) : null;
        if (sizeClass is null)
        {
            return new ProblemResult(new Problem(ProblemType.BadBlobSize, $"\"size\" must be one of the size classes: {AllowedSizes(runtime)}")
            {
                Extensions = AllowedSizesExtension(runtime),
            });
        }

        var limit = runtime.MaxBodyBytes;
        if (request.ContentLength is { } declared && LengthProblem(declared, size, limit, configuration.MaxBlobsPerStore, runtime) is { } declaredProblem)
        {
            return declaredProblem;
        }

        var body = await ReadBoundedAsync(request, limit, cancellationToken);
        if (body is null)
        {
            return Reject(ProblemType.BodyTooLarge, $"the body is larger than {limit} bytes, the most this endpoint accepts");
        }

        if (LengthProblem(body.Length, size, limit, configuration.MaxBlobsPerStore, runtime) is { } lengthProblem)
        {
            return lengthProblem;
        }

        var count = body.Length / size;
        var key = new Storage.BucketKey(address.Epoch, size, address.Bucket);
        var anchor = runtime.Epochs.AnchorUnixMs(address.Epoch);
        var expires = runtime.Epochs.BucketExpiresUnixMs(address.Epoch);
        var attempts = runtimes.Options.StoreAttempts;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var state = await store.ReadAsync(key, cancellationToken);
            var a = time.GetUtcNow().ToUnixTimeMilliseconds();
            var plan = runtime.Engine.PlanArrivals(key, sizeClass.Slots, anchor, state, a, count);
            if (plan.Full)
            {
                return new ProblemResult(new Problem(ProblemType.BucketFull, $"the bucket already holds its {sizeClass.Slots - 1} real blobs of {size} bytes or cannot take {count} more; other buckets are unaffected")
                {
                    RetryAfter = plan.RetryAfter,
                });
            }

            var blobs = new StoredBlob[count];
            for (var i = 0; i < count; i++)
            {
                // spec §9: a real blob's lifetime is drawn from the same law as a cover's, with the OS CSPRNG.
                blobs[i] = new StoredBlob(plan.Slots[i], a, a + runtime.Lifetimes.DrawReal(), body.AsMemory(i * size, size));
            }

            if (await store.TryAppendAsync(key, state.Version, blobs, expires, cancellationToken))
            {
                metrics.Stored(count, plan.Truncations);
                return TypedResults.Created((string?)null, new StoreReceipt(count, configuration.Retention.MinSeconds));
            }

            metrics.StoreConflict();
        }

        LogBusy(logger, attempts);
        return new ProblemResult(new Problem(ProblemType.BucketBusy, "concurrent stores kept changing the bucket; retry shortly") { RetryAfter = TimeSpan.FromSeconds(1) });
    }

    private static ProblemResult? LengthProblem(long length, int size, long limit, int maxBlobs, CpsRuntime runtime)
    {
        if (length > limit)
        {
            return Reject(ProblemType.BodyTooLarge, $"the body is {length} bytes; this endpoint accepts at most {limit}");
        }

        if (length == 0 || length % size != 0)
        {
            return new ProblemResult(new Problem(ProblemType.BadBlobSize, $"the body is {length} bytes, not a whole number (1 to {maxBlobs}) of {size}-byte blobs")
            {
                Extensions = AllowedSizesExtension(runtime),
            });
        }

        if (length / size > maxBlobs)
        {
            return Reject(ProblemType.TooManyBlobs, $"the body holds {length / size} blobs; one store holds at most {maxBlobs}");
        }

        return null;
    }

    /// <summary>Reads the whole body, or returns null as soon as it exceeds <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[checked((int)Math.Min(request.ContentLength ?? 64 * 1024, limit) + 1)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit)
                {
                    return null;
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limit + 1));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (length > limit)
            {
                return null;
            }
        }

        return length == buffer.Length ? buffer : buffer[..length];
    }

    private static string AllowedSizes(CpsRuntime runtime) => string.Join(", ", runtime.Configuration.Classes.Select(c => c.Size.ToString(CultureInfo.InvariantCulture)));

    private static Dictionary<string, JsonNode?> AllowedSizesExtension(CpsRuntime runtime) =>
        new() { ["allowedSizes"] = new JsonArray([.. runtime.Configuration.Classes.Select(c => (JsonNode)c.Size)]) };

    private static ProblemResult Reject(ProblemType type, string detail) => new(new Problem(type, detail));

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "A store gave up after {Attempts} conflicting attempts")]
    private static partial void LogBusy(ILogger logger, int attempts);
}
