using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The key holders of a called number from a credential directory (spec/protocol.md §10), through a
/// <see cref="DirectoryClient"/>: only keys whose records verified (chain to a trust anchor, TNAuthList covering
/// the number, signature, validity now) and passed the ledger (no rollback, no revoked rid).
/// </summary>
/// <remarks>
/// At call time the directory is asked nothing that names the called number unless the caller chose so
/// (spec/protocol.md §10 "Call time", threat model TM-60): by default the keys come from the client's local copy
/// (<see cref="DirectoryLookupMode.Cached"/>: a copy synced by snapshot and changes, or prefetched buckets), or from
/// that copy brought up to date first (<see cref="DirectoryLookupMode.Synced"/>, which names no number). A live
/// lookup (<see cref="DirectoryLookupMode.Bucketed"/>, <see cref="DirectoryLookupMode.Exact"/>) tells the directory
/// the called number's bucket, or the number, milliseconds before the CPS store: a directory and a CPS that collude
/// then narrow the callee down together. When the local copy has no answer for the number, the lookup fails with a
/// <see cref="CallRoutingException"/> saying how to fix it, which <see cref="CallPlacer"/> turns into an unverified call.
/// </remarks>
public sealed class DirectoryKeyHolderSource : IKeyHolderSource
{
    private readonly DirectoryClient _client;
    private readonly DirectoryLookupMode _mode;

    /// <summary>Looks keys up through <paramref name="client"/> (not owned), from its local copy unless <paramref name="mode"/> opts in to a live lookup.</summary>
    public DirectoryKeyHolderSource(DirectoryClient client, DirectoryLookupMode mode = DirectoryLookupMode.Cached)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, null);
        }

        _client = client;
        _mode = mode;
    }

    /// <summary>How the directory is asked.</summary>
    public DirectoryLookupMode Mode => _mode;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HpkePublicKey>> GetHolderKeysAsync(TelephoneNumber called, CancellationToken cancellationToken) =>
        (await LookupHolderKeysAsync(called, cancellationToken)).Keys;

    /// <inheritdoc/>
    public async Task<KeyHolderLookup> LookupHolderKeysAsync(TelephoneNumber called, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(called);
        DirectoryLookupResult result;
        try
        {
            result = await _client.LookupAsync(called, _mode, cancellationToken);
        }
        catch (DirectoryUnavailableException e)
        {
            var fix = _mode is DirectoryLookupMode.Cached or DirectoryLookupMode.Synced
                ? "; sync the local copy of the directory (`stir directory sync --cache DIR`, DirectoryClient.SyncAsync) or prefetch the number's bucket "
                    + "among decoys (`--numbers`, PrefetchAsync), or opt in to a live lookup (`stir call --live-lookup`, DirectoryLookupMode.Bucketed), "
                    + "which names the number's bucket to the directory at call time"
                : string.Empty;
            throw new CallRoutingException($"no key records for the called number: {e.Message}{fix}", e);
        }

        // The client already kept one key per (holder, rid): the newest verified record, none for a revoked rid.
        var keys = result.Keys.Select(k => k.PublicKey).ToList();
        var rejected = result.Rejected.Count == 0 ? string.Empty : $", {result.Rejected.Count} record(s) refused ({string.Join("; ", result.Rejected.Select(r => r.Failure).Distinct())})";
        var source = result.Source == DirectoryLookupSource.Directory
            ? $"the directory (live {(_mode == DirectoryLookupMode.Exact ? "exact" : "bucketed")} lookup{(result.Truncated ? ", bucket truncated: some holders may be missing" : string.Empty)}){rejected}"
            : _mode == DirectoryLookupMode.Synced && result.DirectoryFailure is null
                ? $"the cache, synced now to version {_client.SyncedVersion}{rejected}"
                : $"the cache, {result.Age.TotalSeconds:F0} s old{(result.DirectoryFailure is null ? string.Empty : $" (the directory did not answer: {result.DirectoryFailure})")}{rejected}";
        return new KeyHolderLookup(keys, source);
    }
}
