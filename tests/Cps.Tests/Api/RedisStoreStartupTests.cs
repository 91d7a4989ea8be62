using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Stir.Encrypted.Cps.Tests.Support;
using Stir.Encrypted.CpsService;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.Redis;

namespace Stir.Encrypted.Cps.Tests.Api;

/// <summary>Switching to the Redis store is configuration only: <c>Cps:Store=Redis</c> and <c>Cps:Redis:Configuration</c>.</summary>
public sealed class RedisStoreStartupTests
{
    [Fact]
    public async Task Start_WithRedisStoreOnTheCluster_UsesItAndIsReady()
    {
        var cluster = await RedisServers.Shared;
        string[] args = ["--Cps:Store", "Redis", "--Cps:Redis:Configuration", cluster.Configuration, "--Cps:Redis:KeyPrefix", "startup-" + Guid.NewGuid().ToString("N"), "--Cps:Management:Urls="];
        await using var app = CpsApplication.Build(args, builder => builder.WebHost.UseTestServer());
        await app.StartAsync();
        using var client = app.GetTestClient();

        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var config = await client.GetAsync(new Uri("/v1/config", UriKind.Relative));

        Assert.IsType<RedisBlobStore>(app.Services.GetRequiredService<IBlobStore>());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public void Build_WithRedisStoreButNoConfiguration_FailsNamingTheKey()
    {
        var error = Assert.ThrowsAny<Exception>(() => CpsApplication.Build(["--Cps:Store", "Redis"], builder => builder.WebHost.UseTestServer()));

        Assert.Contains("Cps:Redis:Configuration is required", Messages(error), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Claim", "TM-50")]
    public async Task Build_WithRedisStoreOnAServerThatPersists_Fails()
    {
        using var server = await RedisServers.StartStandaloneAsync("--appendonly", "yes");

        var error = Assert.ThrowsAny<Exception>(() => CpsApplication.Build(["--Cps:Store", "Redis", "--Cps:Redis:Configuration", server.Configuration], builder => builder.WebHost.UseTestServer()));

        Assert.Contains("the append-only file is on", Messages(error), StringComparison.Ordinal);
    }

    private static string Messages(Exception? error)
    {
        var messages = new List<string>();
        for (; error is not null; error = error.InnerException)
        {
            messages.Add(error.Message);
        }
        return string.Join(" | ", messages);
    }
}
