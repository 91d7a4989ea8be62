using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Stir.Encrypted.Cps;
using Stir.Encrypted.CpsService.Abuse;
using Stir.Encrypted.CpsService.Authentication;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.CoverTraffic;
using Stir.Encrypted.CpsService.Observability;
using Stir.Encrypted.CpsService.Problems;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// <c>POST /v1/epochs/{epoch}/buckets/{bucket}?size={size}</c> (spec/protocol.md §8 "Store"): checks everything
/// before reading the body (storer authentication too, when required), reads at most the endpoint's limit, holds
/// places under the storer cap, places the blobs in slots (§9 "Arrivals") and answers 201 only after the store has
/// durably appended them.
/// </summary>
/// <remarks>
/// The storer cap is decided before the bucket is read, from the storer's own live blobs only (<see cref="IStorerLedger"/>),
/// so a refusal for the cap never depends on what others hold; and while the storer holds at most the cap, the
/// bucket is full for it only when others hold at least slots − cap (TM-61). Both refusals wait a constant
/// <c>Retry-After</c>.
/// </remarks>
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
            .WithDescription("Body: application/octet-stream, k × size bytes. The blobs are durable when 201 is sent. A bucket holds at most slots − 1 real blobs per class, and one storer at most Cps:StorerCap:MaxLiveBlobsPerBucket of them (storer-limit, 429).")
            .WithMetadata(new BodySizeLimit(routes.ServiceProvider))
            .RequireRateLimiting(CpsRateLimiting.StorePolicy)
            .Produces<StoreReceipt>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
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
        StoreAuthenticator authenticator,
        IStorerLedger ledger,
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

        // Storer authentication (§8): every check that needs no body, before any byte of it is read.
        StoreToken? token = null;
        byte[]? storerKeyHash = null;
        if (authenticator.IsRequired && (token = authenticator.Begin(request, out var authProblem, out storerKeyHash)) is null)
        {
            return new ProblemResult(authProblem!);
        }

        // The body's SHA-256 is computed as it streams in, for bdh; no second copy of the body is kept.
        using var bodyHash = token is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var body = await ReadBoundedAsync(request, limit, bodyHash, cancellationToken);
        if (body is null)
        {
            return Reject(ProblemType.BodyTooLarge, $"the body is larger than {limit} bytes, the most this endpoint accepts");
        }

        if (LengthProblem(body.Length, size, limit, configuration.MaxBlobsPerStore, runtime) is { } lengthProblem)
        {
            return lengthProblem;
        }

        if (token is not null && authenticator.Complete(token, bodyHash!.GetHashAndReset()) is { } tokenProblem)
        {
            return new ProblemResult(tokenProblem);
        }

        var count = body.Length / size;
        var key = new Storage.BucketKey(address.Epoch, size, address.Bucket);
        var anchor = runtime.Epochs.AnchorUnixMs(address.Epoch);
        var expires = runtime.Epochs.BucketExpiresUnixMs(address.Epoch);

        // The storer cap (§8 "Store"): places held before the bucket is read, from this storer's own entries only.
        var capOptions = runtimes.Options.StorerCap;
        var storer = storerKeyHash is null
            ? StorerIdentity.ForAddress(runtime.CoverKey.Span, key, context.Connection.RemoteIpAddress, capOptions.Ipv6PrefixLength)
            : StorerIdentity.ForCertificate(runtime.CoverKey.Span, key, storerKeyHash);
        var cap = storer.Authenticated ? capOptions.EffectiveAuthenticatedMaxLiveBlobsPerBucket : capOptions.MaxLiveBlobsPerBucket;
        // Held until the bucket expires at the latest (every blob ends by then), until settled with the blobs' ends.
        var hold = await ledger.TryHoldAsync(key, storer, count, cap, expires, cancellationToken);
        if (hold is null)
        {
            return new ProblemResult(new Problem(ProblemType.StorerLimit, $"this storer may hold at most {cap} live blobs of {size} bytes in a bucket, and this store would exceed that; its blobs end within {configuration.Retention.MaxSeconds} s of their store")
            {
                RetryAfter = SlotEngine.FullRetryAfter,
            });
        }

        // Released unless the blobs may be stored: after a successful append the places are settled instead, and
        // when an append fails without saying whether it wrote (a timeout) they stay held until the bucket expires,
        // since counting the storer's blobs too long only costs the storer, while too short would let it exceed the cap.
        var keepHeld = false;
        try
        {
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

                keepHeld = true;
                if (await store.TryAppendAsync(key, state.Version, blobs, expires, cancellationToken))
                {
                    await SettleAsync(ledger, hold, [.. blobs.Select(b => b.EndUnixMs)], logger);
                    metrics.Stored(count, plan.Truncations);
                    return TypedResults.Created((string?)null, new StoreReceipt(count, configuration.Retention.MinSeconds));
                }

                keepHeld = false;
                metrics.StoreConflict();
            }

            LogBusy(logger, attempts);
            return new ProblemResult(new Problem(ProblemType.BucketBusy, "concurrent stores kept changing the bucket; retry shortly") { RetryAfter = TimeSpan.FromSeconds(1) });
        }
        finally
        {
            if (!keepHeld)
            {
                await ReleaseAsync(ledger, hold, logger);
            }
        }
    }

    // After the append: a failure leaves the held entries at the bucket's expiry, which only ever counts this storer's
    // blobs longer than they live (its own cap, never anyone else's answer); the blobs are stored, so 201 stands.
    private static async Task SettleAsync(IStorerLedger ledger, StorerHold hold, long[] ends, ILogger logger)
    {
        try
        {
            await ledger.SettleAsync(hold, ends, CancellationToken.None);
        }
        catch (StoreUnavailableException e)
        {
            LogLedger(logger, "settle", e.InnerException?.GetType().FullName ?? "none");
        }
    }

    // Nothing was stored: the places go. A failure leaves them held until the bucket expires (this storer's loss only).
    private static async Task ReleaseAsync(IStorerLedger ledger, StorerHold hold, ILogger logger)
    {
        try
        {
            await ledger.ReleaseAsync(hold, CancellationToken.None);
        }
        catch (StoreUnavailableException e)
        {
            LogLedger(logger, "release", e.InnerException?.GetType().FullName ?? "none");
        }
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

    /// <summary>Reads the whole body, or returns null as soon as it exceeds <paramref name="limit"/> bytes; feeds <paramref name="hash"/> as it goes.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, long limit, IncrementalHash? hash, CancellationToken cancellationToken)
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

            hash?.AppendData(buffer, length, read);
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

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "The storer ledger could not {Operation} a hold ({InnerExceptionType}); it ends with the bucket")]
    private static partial void LogLedger(ILogger logger, string operation, string innerExceptionType);
}
