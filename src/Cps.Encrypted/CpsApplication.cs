using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stir.Encrypted.CpsService.Abuse;
using Stir.Encrypted.CpsService.Authentication;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.CoverTraffic;
using Stir.Encrypted.CpsService.Endpoints;
using Stir.Encrypted.CpsService.Hosting;
using Stir.Encrypted.CpsService.Observability;
using Stir.Encrypted.CpsService.Problems;

namespace Stir.Encrypted.CpsService;

/// <summary>
/// Builds the CPS web application, so that the service's own entry point, <c>stir serve</c> and the tests all
/// host exactly the same thing. Read top to bottom, it is the service's table of contents.
/// </summary>
public static class CpsApplication
{
    /// <summary>Creates the application from command-line arguments and the usual configuration sources.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Cps:EpochSeconds=3600</c>).</param>
    /// <param name="configure">Runs last before the app is built: embedders register their own store here.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Privacy: request paths carry epoch and bucket; the framework categories that log paths stay quiet.
        builder.Configuration.AddPrivacyLoggingDefaults();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        var services = builder.Services;
        // Settings: section "Cps" over code defaults, validated at start.
        services.AddOptions<CpsOptions>().BindConfiguration(CpsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CpsOptions>, CpsOptionsValidator>();
        services.AddSingleton(TimeProvider.System);

        // Storage: the one place an IBlobStore is chosen.
        services.AddCpsStore(builder.Configuration);
        services.AddSingleton<CpsRuntimeProvider>();
        services.AddHostedService<CpsStartup>();

        // Cover traffic (spec §9): decoys derived afresh for every retrieval (no cache: §8 "Retrieve", constant work),
        // answered at a fixed deadline.
        services.AddSingleton<ICoverKeyAgreement, SodiumCoverKeyAgreement>();
        services.AddSingleton<ICoverBlobFactory, DerivedCoverBlobFactory>();
        services.AddSingleton(ReleaseTimer.System);
        services.AddSingleton<RetrievalDeadline>();

        // Abuse: per-client rate limits (the per-bucket cap is the slot model's); the per-storer cap of live blobs per
        // bucket (kept in the cluster with the Redis store, in memory otherwise); storer authentication, off by default.
        services.AddCpsRateLimiting();
        services.TryAddSingleton<IStorerLedger, InMemoryStorerLedger>();
        services.AddSingleton<StoreAuthenticator>();

        // Operations: counters and the OpenAPI document, served by the management listener (Cps:Management:Urls,
        // loopback by default), never by the public one.
        services.AddMetrics();
        services.AddSingleton<CpsMetrics>();
        services.AddSingleton<PrometheusExporter>();
        services.AddCpsOpenApi();
        services.AddSingleton<ManagementListener>();
        services.AddHostedService(sp => sp.GetRequiredService<ManagementListener>());

        configure?.Invoke(builder);
        var app = builder.Build();

        // Errors: every exception and every bodiless framework error (404, 405, 413) becomes a problem.
        app.UseProblemBoundary();
        app.UseCpsRateLimiting();

        app.MapConfigEndpoints();
        app.MapStoreEndpoints();
        app.MapRetrieveEndpoints();
        app.MapHealthEndpoints();
        return app;
    }

    /// <summary>
    /// Where the management listener of a started CPS application listens (<c>/metrics</c>, the OpenAPI document), with
    /// the ports as bound; empty when <c>Cps:Management:Urls</c> is empty.
    /// </summary>
    public static IReadOnlyList<Uri> ManagementUrls(WebApplication cps)
    {
        ArgumentNullException.ThrowIfNull(cps);
        return cps.Services.GetRequiredService<ManagementListener>().Urls;
    }
}
