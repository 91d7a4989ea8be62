using System.Security.Cryptography;
using Stir.Encrypted.CpsService.Abuse;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.CoverTraffic;
using Stir.Encrypted.CpsService.Observability;
using Stir.Encrypted.CpsService.Problems;
using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// <c>GET /v1/epochs/{epoch}/buckets/{bucket}</c> (spec/protocol.md §8 "Retrieve"): for each size class, the
/// occupants of all its slots (§9), real or cover, shuffled with the CSPRNG. There is one code path whether
/// the bucket holds real blobs or not, and the answer's status, headers and length never depend on it; nor does
/// its time: the work is the same whatever the bucket holds or whoever fetched it before (no cache is shared
/// between requests), and the answer waits for a fixed deadline from the handler's start (<see cref="RetrievalDeadline"/>).
/// </summary>
internal static class RetrieveEndpoints
{
    public const string OperationId = "retrieveBucket";
    public const string OctetStream = "application/octet-stream";

    public static IEndpointRouteBuilder MapRetrieveEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/v1/epochs/{epoch}/buckets/{bucket}", RetrieveAsync)
            .WithName(OperationId)
            .WithTags("Blobs")
            .WithSummary("Retrieve every slot of a bucket: for each size class, exactly `slots` blobs in random order")
            .WithDescription("200 application/octet-stream, Cache-Control: no-store. Real blobs and decoys are indistinguishable to the CPS's clients.")
            .RequireRateLimiting(CpsRateLimiting.RetrievePolicy)
            .Produces(StatusCodes.Status200OK, contentType: OctetStream)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<IResult> RetrieveAsync(
        string epoch,
        string bucket,
        HttpContext context,
        CpsRuntimeProvider runtimes,
        IBlobStore store,
        ICoverBlobFactory covers,
        RetrievalDeadline deadline,
        TimeProvider time,
        CpsMetrics metrics,
        ILoggerFactory loggers)
    {
        // §8 "Retrieve": the answer leaves at this instant + the deadline, however long what follows takes.
        var due = deadline.Start();
        var cancellationToken = context.RequestAborted;
        var (runtime, unavailable) = await RuntimeAccess.GetAsync(runtimes, loggers.CreateLogger(typeof(RetrieveEndpoints).FullName!), cancellationToken);
        if (runtime is null)
        {
            return unavailable!;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!BucketAddress.TryParse(epoch, bucket, runtime, now, forStore: false, out var address, out var problem))
        {
            return new ProblemResult(problem!);
        }

        var classes = runtime.Configuration.Classes;
        var body = new byte[classes.Sum(c => c.Size * c.Slots)];
        var anchor = runtime.Epochs.AnchorUnixMs(address.Epoch);
        var offset = 0;
        foreach (var sizeClass in classes)
        {
            // Constant work (§8): one store read per class, S cover timelines and S cover derivations whatever the
            // bucket holds; the cover of a slot that serves a real blob is derived and then overwritten.
            var key = new BucketKey(address.Epoch, sizeClass.Size, address.Bucket);
            var state = await store.ReadAsync(key, cancellationToken);
            var occupants = runtime.Engine.OccupantsAt(key, sizeClass.Slots, anchor, state, now);
            RandomNumberGenerator.Shuffle(occupants.AsSpan());
            foreach (var occupant in occupants)
            {
                var destination = body.AsSpan(offset, sizeClass.Size);
                covers.Write(runtime.CoverKey.Span, occupant.Cover, destination);
                if (occupant.Real is { } real)
                {
                    if (real.Content.Length != sizeClass.Size)
                    {
                        throw new InvalidOperationException("the store returned a blob whose length is not its class size");
                    }

                    real.Content.Span.CopyTo(destination);
                }

                offset += sizeClass.Size;
            }
        }

        metrics.Retrieved();
        await deadline.ReleaseAsync(due, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Bytes(body, OctetStream);
    }
}
