using System.Collections.Concurrent;
using Stir.Encrypted.CpsService.Endpoints;

namespace Stir.Encrypted.Cps.Tests.Support;

/// <summary>
/// A <see cref="ReleaseTimer"/> whose clock moves only when told (<see cref="Advance"/>) or when a wait reaches its due
/// time, which it does at once: the service tests keep the deadline's code path without its wall-clock cost, and
/// <see cref="Waits"/> records every due time the endpoint asked for, with the clock at that moment.
/// </summary>
internal sealed class ManualReleaseTimer : ReleaseTimer
{
    private long _now = 1_000_000;

    public override long NowMilliseconds => Interlocked.Read(ref _now);

    /// <summary>(clock when the wait began, due time) of every wait, in order.</summary>
    public ConcurrentQueue<(long Now, long Due)> Waits { get; } = new();

    /// <summary>Moves the clock on, as work that takes <paramref name="milliseconds"/> would.</summary>
    public void Advance(long milliseconds) => Interlocked.Add(ref _now, milliseconds);

    public override Task WaitUntilAsync(long dueMilliseconds, CancellationToken cancellationToken)
    {
        Waits.Enqueue((NowMilliseconds, dueMilliseconds));
        long now;
        while ((now = Interlocked.Read(ref _now)) < dueMilliseconds && Interlocked.CompareExchange(ref _now, dueMilliseconds, now) != now)
        {
        }

        return Task.CompletedTask;
    }
}
