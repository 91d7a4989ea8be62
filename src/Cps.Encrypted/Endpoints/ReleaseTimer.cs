namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// The clock and the timer a retrieval's answer waits on until its deadline (spec/protocol.md §8 "Retrieve"), in
/// whole milliseconds of one monotonic clock. <see cref="System"/> is the process's; tests inject their own to check
/// the due times the endpoint computes.
/// </summary>
/// <remarks>
/// Not <see cref="TimeProvider"/>, although the project keeps all other time there: the release must depend on the
/// handler's start and the deadline only, never on how long the work took. <see cref="TimeProvider.System"/>'s timers
/// take a relative <see cref="TimeSpan"/> that the runtime's timer queue truncates to whole milliseconds and counts
/// from its own tick at registration, so a wait of "deadline − elapsed" lets the sub-millisecond part of the elapsed
/// time through to the release instant. Here the due time is an absolute tick of the clock the timer queue fires by
/// (<see cref="Environment.TickCount64"/> on Linux), so the answer goes out at the first timer check after that tick
/// whatever happened before (bench/privacy/timing measures it).
/// </remarks>
internal abstract class ReleaseTimer
{
    /// <summary>The process's monotonic millisecond clock and the runtime's timer queue.</summary>
    public static ReleaseTimer System { get; } = new TickCountReleaseTimer();

    /// <summary>Now, in milliseconds of this timer's clock.</summary>
    public abstract long NowMilliseconds { get; }

    /// <summary>Completes once <see cref="NowMilliseconds"/> has reached <paramref name="dueMilliseconds"/>, never before.</summary>
    public abstract Task WaitUntilAsync(long dueMilliseconds, CancellationToken cancellationToken);

    private sealed class TickCountReleaseTimer : ReleaseTimer
    {
#pragma warning disable RS0030 // TickCount64 rather than TimeProvider: the clock the timer queue fires by (see the class remarks).
        public override long NowMilliseconds => Environment.TickCount64;
#pragma warning restore RS0030

        public override async Task WaitUntilAsync(long dueMilliseconds, CancellationToken cancellationToken)
        {
            // The timer queue's due tick is its own reading of the clock plus the delay: the same tick as ours unless
            // the clock advances between the two readings (then one tick later, as likely after short work as after
            // long). The loop keeps "never before" on platforms whose timer queue runs on another clock.
            long wait;
            while ((wait = dueMilliseconds - NowMilliseconds) > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
