using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Problems;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>Gets the runtime for a request, or the <c>unavailable</c> problem when the store cannot be read yet.</summary>
internal static partial class RuntimeAccess
{
    public static async ValueTask<(CpsRuntime? Runtime, ProblemResult? Problem)> GetAsync(CpsRuntimeProvider provider, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            return (await provider.GetAsync(cancellationToken), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnavailable(logger, ex.GetType().FullName ?? "exception");
            return (null, new ProblemResult(new Problem(ProblemType.Unavailable, "the CPS cannot read its store at the moment; retry later") { RetryAfter = TimeSpan.FromSeconds(5) }));
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "The store could not be read ({ExceptionType})")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType);
}
