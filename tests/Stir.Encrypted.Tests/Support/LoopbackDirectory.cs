using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.DirectoryService;

namespace Stir.Encrypted.Tests.Support;

/// <summary>
/// The credential directory exactly as <c>DirectoryApplication.Build</c> makes it, on Kestrel at a kernel-chosen
/// loopback port and the system clock, trusting one PEM file of anchors; for commands that take a URL. It records
/// every request it receives (method, path and query), so that a test can see what a client told the directory.
/// </summary>
internal sealed class LoopbackDirectory : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests;

    private LoopbackDirectory(WebApplication app, Uri baseUrl, ConcurrentQueue<string> requests)
    {
        _app = app;
        BaseUrl = baseUrl;
        _requests = requests;
    }

    public Uri BaseUrl { get; }

    /// <summary>Every request received so far, as <c>METHOD /path?query</c>, in order of arrival.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public string Url => BaseUrl.AbsoluteUri;

    public static async Task<LoopbackDirectory> StartAsync(string trustAnchorsFile, string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--Directory:TrustAnchorsFile={trustAnchorsFile}",
            $"--Directory:DataDirectory={dataDirectory}",
            "--Directory:BucketBits=8",
        };
        args.AddRange((settings ?? new Dictionary<string, string>()).Select(s => $"--{s.Key}={s.Value}"));
        var app = DirectoryApplication.Build([.. args]);
        var requests = new ConcurrentQueue<string>();
        app.Use(async (context, next) =>
        {
            requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            await next(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackDirectory(app, new Uri(address.TrimEnd('/') + "/"), requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
