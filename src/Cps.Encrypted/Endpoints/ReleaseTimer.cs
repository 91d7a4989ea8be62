namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// The clock and the timer a retrieval's answer waits on until its deadline (spec/protocol.md §8 "Retrieve"), in
/// whole milliseconds of one monotonic clock. <see cref="System"/> is the process's
/// (<see cref="MonotonicGridReleaseTimer"/>); tests inject their own to check the due times the endpoint computes.
/// </summary>
/// <remarks>
/// Not <see cref="TimeProvider"/>, although the project keeps all other time there: the release must depend on the
/// handler's start and the deadline only, never on how long the work took, and <see cref="TimeProvider.System"/>'s
/// timers cannot promise that: they take a relative wait that the runtime's timer thread counts from its own
/// millisecond reading when the timer is registered (at the end of the work), so a wait of "deadline − elapsed" lets
/// the sub-millisecond part of the elapsed time through to the release instant, and so does an absolute due tick.
/// The wait itself needs a real timer whose wake-ups no request moves; see <see cref="MonotonicGridReleaseTimer"/>.
/// </remarks>
internal abstract class ReleaseTimer
{
    private static readonly Lazy<ReleaseTimer> Process = new(() => new MonotonicGridReleaseTimer());

    /// <summary>The process's release timer (one thread, started on first use).</summary>
    public static ReleaseTimer System => Process.Value;

    /// <summary>Now, in whole milliseconds of this timer's clock.</summary>
    public abstract long NowMilliseconds { get; }

    /// <summary>Completes once <see cref="NowMilliseconds"/> has reached <paramref name="dueMilliseconds"/>, never before.</summary>
    public abstract Task WaitUntilAsync(long dueMilliseconds, CancellationToken cancellationToken);
}
