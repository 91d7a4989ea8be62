namespace Stir.Encrypted.DirectoryService;

/// <summary>Builds the directory web application, so that the service's own entry point, `stir serve` and
/// the tests all host exactly the same thing.</summary>
public static class DirectoryApplication
{
    /// <summary>Creates the application from command-line arguments and the usual configuration sources.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" }));
        return app;
    }
}
