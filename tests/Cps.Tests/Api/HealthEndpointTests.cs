using System.Net;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Api;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Live_Answers200()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"status\":\"live\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_WithReadyStore_Answers200()
    {
        using var factory = new CpsFactory();
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"status\":\"ready\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_WithUnwritableStore_Answers503WithoutTheReason()
    {
        using var factory = new CpsFactory();
        factory.Store.Readiness = (false, "disk /secret/path full");
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("{\"status\":\"not-ready\"}", body);
        Assert.Contains(factory.Logs.Lines, l => l.Contains("disk /secret/path full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ready_WhenStoreSecretsUnreadable_Answers503()
    {
        using var factory = new CpsFactory();
        factory.Store.SecretsFailure = new IOException("store offline");
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
