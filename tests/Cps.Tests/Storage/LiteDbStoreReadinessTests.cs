using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Stir.Encrypted.CpsService.Storage;
using Stir.Encrypted.CpsService.Storage.LiteDb;

namespace Stir.Encrypted.Cps.Tests.Storage;

/// <summary>
/// <see cref="IBlobStore.CheckReadyAsync"/> (for /health/ready): ready only when the current epoch's file takes a
/// durable write through the writer loop and the period keys are in place; otherwise a reason.
/// </summary>
public sealed class LiteDbStoreReadinessTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 / 3600 * 3600 + 100);
    private readonly TemporaryDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public async Task CheckReady_OnAnOpenStore_IsReady_AndTheCurrentEpochFileExists()
    {
        await using var store = Open();

        Assert.Equal((true, null), await store.CheckReadyAsync(default));
        Assert.True(File.Exists(Path.Combine(store.DirectoryPath, $"epoch-{1_800_000_000 / 3600}.db")));
    }

    [Fact]
    public async Task CheckReady_AfterDispose_IsNotReady()
    {
        var store = Open();
        await store.DisposeAsync();

        var (ready, reason) = await store.CheckReadyAsync(default);

        Assert.False(ready);
        Assert.Equal("the store is closed", reason);
    }

    [Fact]
    public async Task CheckReady_WhenCommitsFail_IsNotReady_UntilTheyWorkAgain()
    {
        await using var store = Open();
        store.BeforeCommit = () => throw new IOException("disk gone");

        var (ready, reason) = await store.CheckReadyAsync(default);
        Assert.False(ready);
        Assert.Equal("the current epoch's file does not take writes (IOException)", reason);

        store.BeforeCommit = null;
        Assert.Equal((true, null), await store.CheckReadyAsync(default));
    }

    [Fact]
    public async Task CheckReady_WhenTheCurrentPeriodKeyIsMissing_IsNotReady_UntilTheSweepCreatesIt()
    {
        await using var store = Open();
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        store.BeforeCommit = () =>
        {
            held.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        };
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var key = new BucketKey(1_800_000_000 / 3600, 2048, 1);
        var append = store.TryAppendAsync(key, 0, [new StoredBlob(0, now, now + 30_000, RandomNumberGenerator.GetBytes(2048))], ((long)key.Epoch + 1) * 3_600_000 + 65_000, default).AsTask();
        // The writer is held inside a transaction, so no sweep can create keys while the clock jumps ahead.
        Assert.True(held.Wait(TimeSpan.FromSeconds(30)));
        _time.Advance(TimeSpan.FromMinutes(10));

        var (ready, reason) = await store.CheckReadyAsync(default);
        Assert.False(ready);
        Assert.Equal("the at-rest keys of the current and next periods are not in place", reason);

        store.BeforeCommit = null;
        release.Set();
        await append;
        await store.SweepAsync();
        Assert.Equal((true, null), await store.CheckReadyAsync(default));
    }

    public void Dispose() => _directory.Dispose();

    private LiteDbBlobStore Open() => LiteDbBlobStore.Open(LiteDbStoreFixture.Options(_directory.Path), _time);
}
