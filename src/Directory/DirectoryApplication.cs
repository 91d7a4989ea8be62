using Microsoft.Extensions.Options;
using Stir.Encrypted.DirectoryService.Configuration;
using Stir.Encrypted.DirectoryService.Endpoints;
using Stir.Encrypted.DirectoryService.Hosting;
using Stir.Encrypted.DirectoryService.Problems;

namespace Stir.Encrypted.DirectoryService;

/// <summary>
/// Builds the directory web application, so that the service's own entry point, <c>stir serve</c> and the tests
/// all host exactly the same thing. Read top to bottom, it is the service's table of contents.
/// </summary>
public static class DirectoryApplication
{
    /// <summary>Creates the application from command-line arguments and the usual configuration sources.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Directory:TrustAnchorsFile=roots.pem</c>).</param>
    /// <param name="configure">Runs last before the app is built: embedders register their own store here.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Privacy: request paths carry numbers and buckets; the framework categories that log paths stay quiet.
        builder.Configuration.AddPrivacyLoggingDefaults();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        var services = builder.Services;
        // Settings: section "Directory" over code defaults, validated at start.
        services.AddOptions<DirectoryOptions>().BindConfiguration(DirectoryOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DirectoryOptions>, DirectoryOptionsValidator>();
        services.AddSingleton(TimeProvider.System);

        // Trust: the STI anchors and SPC authorization every publication is checked against.
        services.AddSingleton<DirectoryTrust>();

        // Storage: the one place an IKeyRecordStore is chosen; snapshots are built once per version.
        services.AddDirectoryStore();
        services.AddSingleton<SnapshotCache>();
        services.AddHostedService<DirectoryStartup>();

        services.AddDirectoryOpenApi();

        configure?.Invoke(builder);
        var app = builder.Build();

        // Errors: every exception and every bodiless framework error becomes a problem.
        app.UseProblemBoundary();

        app.MapPublishEndpoints();
        app.MapLookupEndpoints();
        app.MapSyncEndpoints();
        app.MapConfigEndpoints();
        app.MapZoneEndpoints();
        app.MapHealthEndpoints();
        app.MapOpenApi();
        return app;
    }
}
