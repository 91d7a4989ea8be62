using Stir.Encrypted.CpsService.Storage;

namespace Stir.Encrypted.CpsService.Problems;

/// <summary>
/// The outermost middleware: turns any exception into an <c>internal</c> problem (logging only the exception's
/// type, because messages from lower layers may carry storage keys), and any bodiless error status that the
/// framework produced (unknown route, wrong method, Kestrel's body limit) into the matching problem.
/// </summary>
internal static partial class ProblemBoundary
{
    public static IApplicationBuilder UseProblemBoundary(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; there is nobody to answer.
                return;
            }
            catch (BadHttpRequestException ex)
            {
                await ProblemWriter.WriteAsync(context, ForStatus(ex.StatusCode));
                return;
            }
            catch (StoreUnavailableException ex) when (!context.Response.HasStarted)
            {
                // A store node down or slow: the client retries later or treats the call as unverified, as when
                // the CPS itself is down; not a bug of the CPS.
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProblemBoundary).FullName!);
                LogStoreUnavailable(logger, ex.InnerException?.GetType().FullName ?? "none");
                await ProblemWriter.WriteAsync(context, new Problem(ProblemType.Unavailable, "the CPS cannot reach its store at the moment; retry later") { RetryAfter = TimeSpan.FromSeconds(5) });
                return;
            }
#pragma warning disable CA1031 // The boundary exists to catch everything: no exception may reach the host's loggers.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProblemBoundary).FullName!);
                LogUnhandled(logger, ex.GetType().FullName ?? "exception");
                await ProblemWriter.WriteAsync(context, new Problem(ProblemType.Internal, "the CPS failed to handle the request; it has been logged"));
                return;
            }

            var response = context.Response;
            if (!response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
            {
                await ProblemWriter.WriteAsync(context, ForStatus(response.StatusCode));
            }
        });
    }

    private static Problem ForStatus(int status) => status switch
    {
        StatusCodes.Status404NotFound => new(ProblemType.NotFound, "there is no resource at this path"),
        StatusCodes.Status405MethodNotAllowed => new(ProblemType.MethodNotAllowed, "this path does not support the request's method"),
        StatusCodes.Status413PayloadTooLarge => new(ProblemType.BodyTooLarge, "the request body is larger than this endpoint accepts"),
        StatusCodes.Status415UnsupportedMediaType => new(ProblemType.UnsupportedMediaType, "the request body has a media type this endpoint does not accept"),
        >= 400 and < 500 => new(ProblemType.MalformedRequest, "the request is not valid HTTP for this service"),
        _ => new(ProblemType.Internal, "the CPS failed to handle the request; it has been logged"),
    };

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The store was unavailable ({InnerExceptionType})")]
    private static partial void LogStoreUnavailable(ILogger logger, string innerExceptionType);

    // Only the exception type: messages and stack data from lower layers may name storage keys.
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Request failed with an unhandled {ExceptionType}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType);
}
