using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Observability;
using Stir.Encrypted.CpsService.Problems;

namespace Stir.Encrypted.CpsService.Hosting;

/// <summary>
/// The management listener (spec/protocol.md §8 "Health, metrics and the management listener"): a second, minimal web
/// application with its own Kestrel server in the CPS process, started and stopped with it, bound to
/// <c>Cps:Management:Urls</c> (loopback by default) and serving only <c>GET /metrics</c> and <c>GET</c>
/// <see cref="CpsOpenApi.DocumentPath"/>; anything else is <c>not-found</c> (or <c>method-not-allowed</c>). The
/// public listener serves the protocol and health only: counters are for the operator, and whoever reads them while
/// storing or retrieving must not learn from them what a bucket holds (issue 13, TM-21).
/// </summary>
/// <remarks>
/// <para>It logs <see cref="ListeningMessage"/> once per address it listens on, with the port the kernel chose for
/// port 0, so that tests and operators can find it.</para>
/// <para>It is a bare <see cref="KestrelServer"/> with a two-route request delegate, not a second generic host: a host
/// announces itself while it is built (the "Microsoft.Extensions.Hosting" diagnostic events), and a test's
/// WebApplicationFactory in the same process would take such a host for the application it waits for and swap its
/// server. Nothing here needs what a host adds (configuration, lifetime, hosted services).</para>
/// </remarks>
internal sealed partial class ManagementListener : IHostedService, IAsyncDisposable
{
    /// <summary>The start of the line logged when it listens, followed by the URL.</summary>
    public const string ListeningMessage = "CPS management endpoint listening on";

    private const string MetricsPath = "/metrics";

    private readonly IServiceProvider _cps;
    private readonly ManagementOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<ManagementListener> _logger;
    private KestrelServer? _server;

    public ManagementListener(IServiceProvider cps, IOptions<CpsOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(cps);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _cps = cps;
        _options = options.Value.Management;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ManagementListener>();
    }

    /// <summary>Where it listens once started (ports as bound); empty when disabled or not started.</summary>
    public IReadOnlyList<Uri> Urls { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = _options.UrlList;
        if (DocumentGeneration.IsActive || urls.Count == 0)
        {
            return; // the build only reads the public endpoints; an empty setting turns the listener off
        }

        var kestrel = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = _cps };
        foreach (var url in urls)
        {
            Listen(kestrel, BindingAddress.Parse(url)); // validated at start (CpsOptionsValidator)
        }

        var server = new KestrelServer(Options.Create(kestrel), new SocketTransportFactory(Options.Create(new SocketTransportOptions()), _loggers), _loggers);
        try
        {
            await server.StartAsync(new Application(HandleAsync, _logger), cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            server.Dispose();
            throw new InvalidOperationException(
                $"Cps:Management:Urls is \"{_options.Urls}\": the management listener cannot listen there ({e.Message}). Free the port, choose another (port 0 lets the kernel choose), or set Cps:Management:Urls empty to turn the listener off.",
                e);
        }

        _server = server;
        Urls = [.. server.Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Select(address => new Uri(address))];
        foreach (var url in Urls)
        {
            LogListening(_logger, url.GetLeftPart(UriPartial.Authority));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.StopAsync(CancellationToken.None);
            server.Dispose();
        }
    }

    private static void Listen(KestrelServerOptions kestrel, BindingAddress address)
    {
        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port);
        }
        else if (address.Host is "*" or "+")
        {
            kestrel.ListenAnyIP(address.Port);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(address.Host.Trim('[', ']')), address.Port);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var known = request.Path == MetricsPath || request.Path == CpsOpenApi.DocumentPath;
        if (!known)
        {
            await ProblemWriter.WriteAsync(context, new Problem(ProblemType.NotFound, "there is no resource at this path"));
            return;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            await ProblemWriter.WriteAsync(context, new Problem(ProblemType.MethodNotAllowed, "this path does not support the request's method"));
            return;
        }

        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (request.Path == MetricsPath)
        {
            response.ContentType = PrometheusExporter.ContentType;
            await response.WriteAsync(_cps.GetRequiredService<PrometheusExporter>().Render(), context.RequestAborted);
        }
        else
        {
            response.ContentType = "application/json;charset=utf-8";
            await response.Body.WriteAsync(await CpsOpenApi.RenderDocumentAsync(_cps, context.RequestAborted), context.RequestAborted);
        }
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = ListeningMessage + " {Url}")]
    private static partial void LogListening(ILogger logger, string url);

    [LoggerMessage(EventId = 51, Level = LogLevel.Error, Message = "A management request failed with an unhandled {ExceptionType}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType);

    /// <summary>Kestrel's view of the application: one <see cref="DefaultHttpContext"/> per request, errors as problems.</summary>
    private sealed class Application(RequestDelegate handle, ILogger logger) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures) { RequestServices = NoServices.Instance };

        public async Task ProcessRequestAsync(HttpContext context)
        {
            try
            {
                await handle(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
#pragma warning disable CA1031 // Like the public boundary (ProblemBoundary): nothing reaches Kestrel's own logs.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogUnhandled(logger, e.GetType().FullName ?? "exception");
                await ProblemWriter.WriteAsync(context, new Problem(ProblemType.Internal, "the CPS failed to handle the request; it has been logged"));
            }
        }

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }

    /// <summary>
    /// The request services of a management request: none, so that <see cref="ProblemWriter"/> counts no rejection
    /// for it (the counters are the public protocol's).
    /// </summary>
    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
