namespace Stir.Encrypted.DirectoryService.Problems;

/// <summary>A <see cref="Problem"/> as an endpoint result, written by <see cref="ProblemWriter"/>.</summary>
internal sealed class ProblemResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public ProblemResult(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Problem = problem;
    }

    public Problem Problem { get; }

    public int? StatusCode => Problem.Type.Status;

    public string? ContentType => ProblemWriter.ContentType;

    public Task ExecuteAsync(HttpContext httpContext) => ProblemWriter.WriteAsync(httpContext, Problem);
}
