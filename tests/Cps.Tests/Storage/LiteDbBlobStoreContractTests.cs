using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>The <see cref="IBlobStore"/> contract, kept by the embedded LiteDB store.</summary>
public sealed class LiteDbBlobStoreContractTests : BlobStoreContractTests, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private protected override ValueTask<IBlobStore> OpenStoreAsync() =>
        ValueTask.FromResult<IBlobStore>(LiteDbBlobStore.Open(LiteDbStoreFixture.Options(_directory.Path), Time));

    public void Dispose() => _directory.Dispose();
}
