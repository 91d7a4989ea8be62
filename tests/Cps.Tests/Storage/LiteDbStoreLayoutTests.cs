using System.Runtime.Versioning;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>The data directory: owner-only, held by one process at a time, cleaned of what crashes leave.</summary>
public sealed class LiteDbStoreLayoutTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 / 3600 * 3600 + 100);
    private readonly TemporaryDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(Start);

    private string DataDirectory => Path.Combine(_directory.Path, "data");

    [Fact]
    [UnsupportedOSPlatform("windows")] // Unix file modes; the CPS deploys on Linux.
    public async Task Open_CreatesMissingDirectories_AndEveryDirectoryAndFileIsOwnerOnly()
    {
        await using (var store = Open())
        {
            Assert.Equal((true, null), await store.CheckReadyAsync(default));
        }

        var directories = Directory.GetDirectories(DataDirectory, "*", SearchOption.AllDirectories).Append(DataDirectory).ToList();
        var files = Directory.GetFiles(DataDirectory, "*", SearchOption.AllDirectories);
        Assert.Equal(3, directories.Count);
        Assert.Contains(files, file => Path.GetFileName(file) == "cover.key");
        Assert.Contains(files, file => Path.GetFileName(file) == "index-salt.key");
        Assert.Contains(files, file => Path.GetFileName(file).StartsWith("epoch-", StringComparison.Ordinal));
        Assert.Contains(files, file => Path.GetFileName(file).StartsWith("period-", StringComparison.Ordinal));
        Assert.All(directories, directory => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory)));
        Assert.All(files, file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
    }

    [Fact]
    public async Task Open_WhileAnotherStoreHoldsTheDirectory_ThrowsNamingIt()
    {
        await using var first = Open();

        var exception = Assert.Throws<IOException>(Open);

        Assert.Equal($"The store directory \"{Path.Combine(DataDirectory, "cps")}\" is in use by another process.", exception.Message);
    }

    [Fact]
    public async Task Open_DestroysTemporaryFilesACrashLeft()
    {
        await using (Open())
        {
        }
        var leftovers = new[]
        {
            Path.Combine(DataDirectory, "cps", "cover.key.tmp"),
            Path.Combine(DataDirectory, "cps", "keys", "period-180000000.key.tmp"),
        };
        foreach (var path in leftovers)
        {
            File.WriteAllBytes(path, new byte[64]);
        }

        await using (Open())
        {
        }

        Assert.All(leftovers, path => Assert.False(File.Exists(path)));
    }

    [Fact]
    public void Open_WithInvalidOptions_ThrowsNamingTheOption()
    {
        var options = LiteDbStoreFixture.Options(DataDirectory);
        options.KeyPeriod = TimeSpan.FromMilliseconds(1.5);

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => LiteDbBlobStore.Open(options, _time));

        Assert.Equal("KeyPeriod", exception.ParamName);
    }

    public void Dispose() => _directory.Dispose();

    private LiteDbBlobStore Open() => LiteDbBlobStore.Open(LiteDbStoreFixture.Options(DataDirectory), _time);
}
