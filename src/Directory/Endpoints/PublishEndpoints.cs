using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Stir.Encrypted.DirectoryService.Hosting;
using Stir.Encrypted.DirectoryService.Problems;
using Stir.Encrypted.DirectoryService.Storage;
using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.DirectoryService.Endpoints;

/// <summary>
/// <c>POST /v1/records</c>: publishes a key record or a revocation (spec/protocol.md §10 "Publish"). The body is
/// the compact JWS, <c>application/jose</c> (RFC 7515 §9.2.1). Every check runs before anything is stored, and
/// every refusal is one problem type with the rule and the values in its detail; a refused publication changes
/// nothing.
/// </summary>
internal static class PublishEndpoints
{
    public const string OperationId = "publishRecord";
    public const string MediaType = "application/jose";

    public static IEndpointRouteBuilder MapPublishEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost("/v1/records", PublishAsync)
            .WithName(OperationId)
            .WithTags("Publish")
            .WithSummary("Publish a key record or a revocation (spec/protocol.md §10)")
            .Produces(StatusCodes.Status201Created, contentType: DirectoryDocuments.Json)
            .Produces(StatusCodes.Status200OK, contentType: DirectoryDocuments.Json)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    private static async Task<IResult> PublishAsync(HttpContext context, DirectoryTrust trust, IKeyRecordStore store)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return Problem(ProblemType.UnsupportedMediaType, $"the body must be {MediaType} (the compact JWS of the record), not {(request.ContentType is { Length: > 0 } given ? $"\"{given}\"" : "untyped")}");
        }

        var (body, tooLarge) = await ReadBodyAsync(request, KeyRecord.MaxTokenLength, context.RequestAborted);
        if (tooLarge)
        {
            return Problem(ProblemType.BodyTooLarge, $"the body is larger than {KeyRecord.MaxTokenLength} bytes, the largest key record");
        }

        var bad = Array.FindIndex(body!, b => b is < 0x21 or > 0x7E);
        if (bad >= 0)
        {
            return Problem(ProblemType.MalformedRecord, $"byte {bad + 1} of the body is 0x{body![bad]:x2}; a compact JWS is printable ASCII without spaces or line breaks");
        }

        var token = Encoding.ASCII.GetString(body!);
        if (!KeyRecord.TryParse(token, out var record, out var error))
        {
            return Problem(ProblemType.MalformedRecord, error.Message);
        }

        var verdict = trust.Verifier.Verify(record);
        if (!verdict.IsValid)
        {
            return VerdictProblem(verdict);
        }

        var result = await store.PublishAsync(record, context.RequestAborted);
        return result.Outcome switch
        {
            PublishOutcome.Stored => Receipt(StatusCodes.Status201Created, record, result.Version),
            PublishOutcome.Unchanged => Receipt(StatusCodes.Status200OK, record, result.Version),
            PublishOutcome.StaleSeq => Problem(
                ProblemType.StaleSeq,
                $"seq {record.Seq} of rid {record.Rid} is not above the stored {Describe(result.Current!)}; publish a higher seq",
                new() { ["storedSeq"] = result.Current!.Seq }),
            PublishOutcome.SeqConflict => Problem(
                ProblemType.SeqConflict,
                $"seq {record.Seq} of rid {record.Rid} is already stored with different content ({Describe(result.Current!)}); a changed record needs a higher seq",
                new() { ["storedSeq"] = result.Current!.Seq }),
            PublishOutcome.HolderMismatch => Problem(
                ProblemType.HolderMismatch,
                $"rid {record.Rid} belongs to holder {result.Current!.Holder}, not to the signer {record.Holder}: only the key that first published a rid can supersede or revoke it; choose another rid"),
            _ => throw new InvalidOperationException($"unknown outcome {result.Outcome}"),
        };
    }

    /// <summary>The problem for a verifier refusal: one type per rule, the verdict's reason as detail.</summary>
    internal static ProblemResult VerdictProblem(KeyRecordVerdict verdict)
    {
        var type = verdict.Failure switch
        {
            KeyRecordFailure.Malformed => ProblemType.MalformedRecord,
            KeyRecordFailure.UntrustedChain => ProblemType.UntrustedChain,
            KeyRecordFailure.BadSignature => ProblemType.BadSignature,
            KeyRecordFailure.IssuedInFuture => ProblemType.IssuedInFuture,
            KeyRecordFailure.BadValidity => ProblemType.BadValidity,
            KeyRecordFailure.Expired => ProblemType.RecordExpired,
            KeyRecordFailure.ExceedsCertificate => ProblemType.ExceedsCertificate,
            KeyRecordFailure.ValidityTooLong => ProblemType.ValidityTooLong,
            KeyRecordFailure.NotCovered => ProblemType.NotCovered,
            KeyRecordFailure.UnsupportedSuite => ProblemType.UnsupportedSuite,
            KeyRecordFailure.BadPublicKey => ProblemType.BadHpkeKey,
            _ => throw new InvalidOperationException($"a directory's verifier does not give {verdict.Failure}"),
        };
        return verdict.Failure == KeyRecordFailure.UntrustedChain
            ? Problem(type, verdict.Reason, new() { ["chainFailure"] = verdict.ChainFailure.ToString() })
            : Problem(type, verdict.Reason);
    }

    private static string Describe(StoredEntry entry) => $"{(entry.IsRevocation ? "revocation" : "record")} with seq {entry.Seq}";

    private static BytesResult Receipt(int status, KeyRecord record, long version) =>
        new(status, DirectoryDocuments.Receipt(record, version), DirectoryDocuments.Json) { CacheControl = "no-store" };

    private static ProblemResult Problem(ProblemType type, string detail, Dictionary<string, JsonNode?>? extensions = null) =>
        new(new Problem(type, detail) { Extensions = extensions });

    // Reads at most limit bytes: a longer body (announced or not) is refused without reading it all.
    private static async Task<(byte[]? Body, bool TooLarge)> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, true);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var read = 0;
            while (read <= limit)
            {
                var n = await request.Body.ReadAsync(buffer.AsMemory(read, limit + 1 - read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return read > limit ? (null, true) : (buffer.AsSpan(0, read).ToArray(), false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
