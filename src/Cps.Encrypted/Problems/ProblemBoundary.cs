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

    // Only the exception type: messages and stack data from lower layers may name storage keys.
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Request failed with an unhandled {ExceptionType}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType);
}
