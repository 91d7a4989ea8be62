using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Calls;

/// <summary>
/// The key holders of a called number from a credential directory (spec/protocol.md §10), through a
/// <see cref="DirectoryClient"/>: only keys whose records verified (chain to a trust anchor, TNAuthList covering
/// the number, signature, validity now) and passed the ledger (no rollback, no revoked rid). When the directory
/// does not answer, the client's cache answers if young enough, and the lookup says so; with neither, the caller
/// gets a <see cref="CallRoutingException"/>, which <see cref="CallPlacer"/> turns into an unverified call.
/// </summary>
public sealed class DirectoryKeyHolderSource : IKeyHolderSource
{
    private readonly DirectoryClient _client;
    private readonly DirectoryLookupMode _mode;

    /// <summary>Looks keys up through <paramref name="client"/> (not owned), bucketed by default so the directory does not learn the number.</summary>
    public DirectoryKeyHolderSource(DirectoryClient client, DirectoryLookupMode mode = DirectoryLookupMode.Bucketed)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, null);
        }

        _client = client;
        _mode = mode;
    }

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
            throw new CallRoutingException($"no key records for the called number: {e.Message}", e);
        }

        // The client already kept one key per (holder, rid): the newest verified record, none for a revoked rid.
        var keys = result.Keys.Select(k => k.PublicKey).ToList();
        var rejected = result.Rejected.Count == 0 ? string.Empty : $", {result.Rejected.Count} record(s) refused ({string.Join("; ", result.Rejected.Select(r => r.Failure).Distinct())})";
        var source = result.Source == DirectoryLookupSource.Directory
            ? $"the directory{(result.Truncated ? " (bucket truncated: some holders may be missing)" : string.Empty)}{rejected}"
            : $"the cache, {result.Age.TotalSeconds:F0} s old{(result.DirectoryFailure is null ? string.Empty : $" (the directory did not answer: {result.DirectoryFailure})")}{rejected}";
        return new KeyHolderLookup(keys, source);
    }
}
