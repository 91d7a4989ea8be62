using System.Diagnostics.Metrics;
using Stir.Encrypted.CpsService.Problems;

namespace Stir.Encrypted.CpsService.Observability;

/// <summary>
/// The CPS's counters (System.Diagnostics.Metrics, meter <see cref="MeterName"/>), served only on the management
/// listener (spec/protocol.md §8). The only label is the problem type name of a rejection, a fixed vocabulary: no
/// number, bucket, epoch, address or key is ever a label value. No counter splits a retrieval into real and decoy
/// blobs: a retrieval counts the same whatever its bucket holds, so that even a leaked scrape read before and after
/// one retrieval says nothing about that bucket (TM-21).
/// </summary>
internal sealed class CpsMetrics
{
    public const string MeterName = "Stir.Encrypted.Cps";

    private readonly Counter<long> _storeRequests;
    private readonly Counter<long> _blobsStored;
    private readonly Counter<long> _retrievals;
    private readonly Counter<long> _truncations;
    private readonly Counter<long> _storeConflicts;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _deadlineOverruns;

    public CpsMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _storeRequests = Meter.CreateCounter<long>("cps.store.requests", description: "Store requests whose blobs were stored");
        _blobsStored = Meter.CreateCounter<long>("cps.blobs.stored", description: "Real blobs stored");
        _retrievals = Meter.CreateCounter<long>("cps.retrievals", description: "Bucket retrievals answered");
        _truncations = Meter.CreateCounter<long>("cps.cover.truncations", description: "Arrivals that ended a cover before the minimum lifetime (spec §9)");
        _storeConflicts = Meter.CreateCounter<long>("cps.store.conflicts", description: "Store attempts retried because the bucket changed concurrently");
        _rejections = Meter.CreateCounter<long>("cps.rejections", description: "Requests answered with a problem, by problem type");
        _deadlineOverruns = Meter.CreateCounter<long>("cps.retrieval.deadline.overruns", description: "Retrievals whose work outlasted the response deadline and were answered at once (spec §8)");
    }

    public Meter Meter { get; }

    public void Stored(int blobs, int truncations)
    {
        _storeRequests.Add(1);
        _blobsStored.Add(blobs);
        if (truncations > 0)
        {
            _truncations.Add(truncations);
        }
    }

    /// <summary>One retrieval answered: nothing about what it held.</summary>
    public void Retrieved() => _retrievals.Add(1);

    public void StoreConflict() => _storeConflicts.Add(1);

    public void RetrievalDeadlineOverrun() => _deadlineOverruns.Add(1);

    public void Rejected(ProblemType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        _rejections.Add(1, new KeyValuePair<string, object?>("type", type.Name));
    }
}
