namespace Stir.Encrypted.DirectoryService.Problems;

/// <summary>
/// The outermost middleware: turns any exception into an <c>internal</c> problem (logging only the exception's
/// type: messages from lower layers may carry numbers), and any bodiless error status the framework produced
/// (unknown route, wrong method, Kestrel's body limit) into the matching problem.
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
                return;
            }
            catch (BadHttpRequestException ex)
            {
                await ProblemWriter.WriteAsync(context, ForStatus(ex.StatusCode));
                return;
            }
            catch (Exception ex) when (ex is IOException or LiteDB.LiteException)
            {
                // The store's files: full disk, permissions, another process. Worth retrying; nothing was acknowledged.
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProblemBoundary).FullName!);
                LogStore(logger, ex.GetType().FullName ?? "exception");
                await ProblemWriter.WriteAsync(context, new Problem(ProblemType.Unavailable, "the directory cannot use its store at the moment; a publication may or may not have been stored, and sending it again is safe (an identical entry is acknowledged with 200)") { RetryAfter = TimeSpan.FromSeconds(5) });
                return;
            }
#pragma warning disable CA1031 // The boundary exists to catch everything: no exception may reach the host's loggers.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProblemBoundary).FullName!);
                LogUnhandled(logger, ex.GetType().FullName ?? "exception");
                await ProblemWriter.WriteAsync(context, new Problem(ProblemType.Internal, "the directory failed to handle the request; it has been logged"));
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
        _ => new(ProblemType.Internal, "the directory failed to handle the request; it has been logged"),
    };

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The store failed with {ExceptionType}")]
    private static partial void LogStore(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Request failed with an unhandled {ExceptionType}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType);
}
