using Stir.Encrypted.DirectoryService.Storage;

namespace Stir.Encrypted.DirectoryService.Hosting;

/// <summary>Opens the store and reads the trust anchors before the first request, so a misconfiguration fails the start.</summary>
internal sealed class DirectoryStartup : IHostedService
{
    private readonly IServiceProvider _services;

    public DirectoryStartup(IServiceProvider services) => _services = services;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _services.GetRequiredService<DirectoryTrust>();
        _ = _services.GetRequiredService<IKeyRecordStore>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
