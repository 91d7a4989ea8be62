using Stir.Encrypted.Cps.Tests.Storage;
using Stir.Encrypted.Cps.Tests.Support;

namespace Stir.Encrypted.Cps.Tests.Processes;

/// <summary>One CPS process with its code defaults (a fresh data directory), shared by the tests of a class.</summary>
public sealed class CpsProcessFixture : IAsyncLifetime
{
    private readonly TemporaryDirectory _directory = new();
    private CpsProcess? _process;

    internal CpsProcess Process => _process ?? throw new InvalidOperationException("the fixture has not started");

    public async Task InitializeAsync() => _process = await CpsProcess.StartAsync(_directory.Path);

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _directory.Dispose();
    }
}
