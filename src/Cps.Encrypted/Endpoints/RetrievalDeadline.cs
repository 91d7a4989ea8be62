using Microsoft.Extensions.Options;
using Stir.Encrypted.CpsService.Configuration;
using Stir.Encrypted.CpsService.Observability;

namespace Stir.Encrypted.CpsService.Endpoints;

/// <summary>
/// The fixed response deadline of a retrieval (spec/protocol.md §8 "Retrieve"): the answer is released at the
/// handler's start + <c>Cps:RetrievalDeadlineMilliseconds</c> on the <see cref="ReleaseTimer"/>'s clock, so that its
/// timing says nothing about the work (what the bucket holds, the store's round trips, the machine's caches). Work
/// that overruns is answered at once and counted in <c>cps_retrieval_deadline_overruns_total</c>.
/// </summary>
internal sealed class RetrievalDeadline
{
    private readonly ReleaseTimer _timer;
    private readonly CpsMetrics _metrics;

    public RetrievalDeadline(IOptions<CpsOptions> options, ReleaseTimer timer, CpsMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timer);
        ArgumentNullException.ThrowIfNull(metrics);
        Milliseconds = options.Value.RetrievalDeadlineMilliseconds;
        _timer = timer;
        _metrics = metrics;
    }

    /// <summary>The deadline; 0 when it is off.</summary>
    public int Milliseconds { get; }

    /// <summary>The release time of a retrieval whose handler starts now: a function of the start alone.</summary>
    public long Start() => _timer.NowMilliseconds + Milliseconds;

    /// <summary>Waits until <paramref name="dueMilliseconds"/> (from <see cref="Start"/>), or counts an overrun and returns at once.</summary>
    public Task ReleaseAsync(long dueMilliseconds, CancellationToken cancellationToken)
    {
        if (Milliseconds == 0)
        {
            return Task.CompletedTask;
        }

        if (_timer.NowMilliseconds >= dueMilliseconds)
        {
            _metrics.RetrievalDeadlineOverrun();
            return Task.CompletedTask;
        }

        return _timer.WaitUntilAsync(dueMilliseconds, cancellationToken);
    }
}
