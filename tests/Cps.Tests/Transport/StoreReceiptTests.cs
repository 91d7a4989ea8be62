using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cps.Tests.Transport;

/// <summary>
/// A store's receipt that comes in a later packet than its headers (as it can over TLS, one record at a time, or
/// on a busy CPS). <see cref="CpsClient.StoreAsync"/> reads it to the end before returning, so the connection is
/// idle in the pool when the next request goes out; left unread, the response's disposal would drain it in the
/// background and the next request would open a second connection (with a second TLS handshake over HTTPS). A
/// stand-in CPS on Kestrel that sends the headers, waits, then sends the receipt, and counts connections.
/// </summary>
public sealed class StoreReceiptTests : IAsyncLifetime
{
    private static readonly TimeSpan ReceiptDelay = TimeSpan.FromMilliseconds(300);
    private static readonly byte[] Receipt = "{\"stored\":1,\"minRetentionSeconds\":20}"u8.ToArray();
    private int _connections;
    private WebApplication? _cps;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
        {
            Interlocked.Increment(ref _connections);
            return next(connection);
        })));
        _cps = builder.Build();
        _cps.MapPost("/v1/epochs/{epoch}/buckets/{bucket}", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Receipt.Length;
            await context.Response.StartAsync(context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(ReceiptDelay, context.RequestAborted);
            await context.Response.Body.WriteAsync(Receipt, context.RequestAborted);
        });
        await _cps.StartAsync();
        var address = _cps.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _base = new Uri(address.TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        if (_cps is not null)
        {
            await _cps.StopAsync();
            await _cps.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stores_WhoseReceiptsArriveAfterTheirHeaders_ShareOneConnection()
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var client = new CpsClient(http, _base);
        // The cheapest index function: only the request's path matters here.
        var parameters = new IndexParameters(new byte[IndexParameters.SaltSize], memoryKiB: 8, iterations: 1, bucketBits: 14, epochSeconds: 3600);
        var index = BlobIndex.Derive(parameters, TelephoneNumber.ParseE164("+12025550123"), TelephoneNumber.ParseE164("+13035550100"), 1);

        for (var i = 0; i < 3; i++)
        {
            await client.StoreAsync(index, [new byte[256]]);
        }

        Assert.Equal(1, Volatile.Read(ref _connections));
    }
}
