using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// The process's <see cref="ReleaseTimer"/>: its clock is CLOCK_MONOTONIC in whole milliseconds, and one thread, while
/// anything waits, sleeps to each millisecond boundary of that clock by absolute time (<c>clock_nanosleep</c> with
/// <c>TIMER_ABSTIME</c>) and releases every waiter due at or before that boundary. A waiter due at <c>d</c> is therefore
/// released at the boundary <c>d</c> (plus the thread's wake-up latency, which no request influences), whenever it
/// started waiting.
/// </summary>
/// <remarks>
/// Why not the runtime's timers (<see cref="Task.Delay(TimeSpan)"/>, <see cref="TimeProvider.CreateTimer"/>): their
/// timer thread turns a due time into a relative sleep from its own millisecond clock reading, taken when the timer is
/// registered, i.e. when the retrieval's work ends, so the release lands at "due + the sub-millisecond part of the
/// end of the work" and the work's duration shows through (measured: a bucket with a live real blob answered ~90 µs
/// later at a 20 ms deadline, AUC 0.55; bench/privacy/timing). Here nothing a request does moves the instants the
/// thread wakes at. Off Linux the sleeps are relative (<see cref="Thread.Sleep(TimeSpan)"/>): the release is then
/// only approximately independent of the work; the CPS is deployed on Linux.
/// </remarks>
internal sealed partial class MonotonicGridReleaseTimer : ReleaseTimer
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int Interrupted = 4; // EINTR
    private const long NanosecondsPerMillisecond = 1_000_000;

    private readonly object _gate = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _waiters = new();
    private readonly bool _linux = OperatingSystem.IsLinux();

    public MonotonicGridReleaseTimer()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "CPS retrieval release" };
        thread.Start();
    }

    public override long NowMilliseconds
    {
        get
        {
            if (_linux)
            {
                _ = NativeClockGetTime(ClockMonotonic, out var now);
                return (now.Seconds * 1000) + (now.Nanoseconds / NanosecondsPerMillisecond);
            }

            return Stopwatch.GetTimestamp() * 1000 / Stopwatch.Frequency;
        }
    }

    public override Task WaitUntilAsync(long dueMilliseconds, CancellationToken cancellationToken)
    {
        if (NowMilliseconds >= dueMilliseconds)
        {
            return Task.CompletedTask;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Enqueue(waiter, dueMilliseconds);
            Monitor.Pulse(_gate);
        }

        if (cancellationToken.CanBeCanceled)
        {
            // The waiter stays queued until its boundary and is then released for nothing: simpler than removing it.
            var registration = cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetCanceled(), waiter);
            _ = waiter.Task.ContinueWith(static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return waiter.Task;
    }

    private void Run()
    {
        var due = new List<TaskCompletionSource>();
        while (true)
        {
            lock (_gate)
            {
                while (_waiters.Count == 0)
                {
                    Monitor.Wait(_gate);
                }
            }

            // The next boundary after now, whenever this loop came round (a waiter's arrival only wakes it up).
            var boundary = NowMilliseconds + 1;
            SleepUntil(boundary);
            lock (_gate)
            {
                while (_waiters.TryPeek(out var waiter, out var at) && at <= boundary)
                {
                    _waiters.Dequeue();
                    due.Add(waiter);
                }
            }

            foreach (var waiter in due)
            {
                waiter.TrySetResult();
            }

            due.Clear();
        }
    }

    private void SleepUntil(long milliseconds)
    {
        if (!_linux)
        {
            var left = milliseconds - NowMilliseconds;
            if (left > 0)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(left));
            }

            return;
        }

        var target = new TimeSpec(milliseconds / 1000, milliseconds % 1000 * NanosecondsPerMillisecond);
        while (NativeClockNanosleep(ClockMonotonic, TimerAbsoluteTime, in target, IntPtr.Zero) == Interrupted)
        {
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct TimeSpec(long Seconds, long Nanoseconds);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int NativeClockGetTime(int clock, out TimeSpec time);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int NativeClockNanosleep(int clock, int flags, in TimeSpec request, IntPtr remaining);
}
