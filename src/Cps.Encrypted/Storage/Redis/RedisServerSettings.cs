using StackExchange.Redis;

namespace Stir.Encrypted.CpsService.Storage.Redis;

/// <summary>
/// The server settings the store relies on, read from every primary with <c>CONFIG GET</c>:
/// <list type="bullet">
/// <item>no RDB snapshots (<c>save ""</c>) and no append-only file (<c>appendonly no</c>): otherwise blobs and
/// slot events reach disk, where deleted entries outlive their end in old snapshots and in the AOF until it is
/// rewritten (spec/threat-model.md TM-50);</item>
/// <item><c>maxmemory-policy noeviction</c>: otherwise a full server evicts live blobs of quiet buckets to make room
/// for a flooded one, and buckets would no longer be independent (the <see cref="IBlobStore"/> contract).</item>
/// </list>
/// </summary>
internal static class RedisServerSettings
{
    /// <summary>What is wrong with the primaries' settings (empty when all is well), one line per problem.</summary>
    /// <exception cref="RedisException">A primary could not be asked.</exception>
    public static async Task<IReadOnlyList<string>> FindProblemsAsync(IConnectionMultiplexer connection)
    {
        var problems = new List<string>();
        foreach (var server in connection.GetServers())
        {
            if (server.IsReplica)
            {
                continue;
            }
            var settings = (await server.ConfigGetAsync("*").ConfigureAwait(false))
                .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
            var node = server.EndPoint.ToString();
            if (settings.TryGetValue("save", out var save) && !string.IsNullOrWhiteSpace(save))
            {
                problems.Add($"{node}: RDB snapshots are on (save \"{save}\"); expired blobs and slot events would reach disk. Set save \"\".");
            }
            if (settings.TryGetValue("appendonly", out var aof) && !string.Equals(aof, "no", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{node}: the append-only file is on (appendonly {aof}); expired blobs and slot events would reach disk. Set appendonly no.");
            }
            if (settings.TryGetValue("maxmemory-policy", out var policy) && !string.Equals(policy, "noeviction", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{node}: maxmemory-policy is {policy}; a full server would evict live blobs of other buckets. Set maxmemory-policy noeviction.");
            }
        }
        return problems;
    }
}
