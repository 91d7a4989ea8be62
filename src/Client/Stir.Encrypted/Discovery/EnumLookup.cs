namespace Stir.Encrypted.Discovery;

/// <summary>
/// One ENUM query for one AUS: the DDDS loop of RFC 3402 §2 with the client rules of RFC 6116 §5.2 and
/// §5.2.1. It walks the NAPTR rules from the first key, follows non-terminal rules to their next domain and
/// collects the URIs that terminal rules produce. Each domain is queried at most once per lookup, so several
/// enumservices can be resolved from the same answers. The lookup is bounded in every direction: chain
/// length, loops, number of queries, records per answer and (in <see cref="EnumResolver"/>) total time.
/// </summary>
internal sealed class EnumLookup
{
    private readonly INaptrSource _source;
    private readonly string _aus;
    private readonly Func<string, bool> _anyWanted;
    private readonly int _maxChain;
    private readonly int _maxQueries;
    private readonly Dictionary<string, EnumRuleSet?> _processed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EnumLookupException> _failed = new(StringComparer.Ordinal);
    private readonly List<EnumQueryTrace> _queries = [];
    private readonly List<string> _problems = [];
    private readonly HashSet<string> _problemSet = new(StringComparer.Ordinal);

    /// <param name="source">Where NAPTR RRsets come from.</param>
    /// <param name="aus">The Application Unique String, e.g. <c>+12025550123</c>.</param>
    /// <param name="anyWanted">Every enumservice any later <see cref="ResolveAsync"/> call may ask for (null: all).</param>
    /// <param name="maxChain">The most non-terminal rules followed in a row.</param>
    /// <param name="maxQueries">The most queries this lookup makes.</param>
    public EnumLookup(INaptrSource source, string aus, Func<string, bool>? anyWanted, int maxChain, int maxQueries)
    {
        _source = source;
        _aus = aus;
        _anyWanted = anyWanted ?? (_ => true);
        _maxChain = maxChain;
        _maxQueries = maxQueries;
    }

    public IReadOnlyList<EnumQueryTrace> Queries => _queries;

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>
    /// The URIs for the enumservices <paramref name="wants"/> accepts, starting at <paramref name="domain"/>,
    /// in DDDS order. <paramref name="accept"/> checks a terminal rule's URI for the enumservice (null: usable).
    /// A rule whose URI fails the check is discarded, which RFC 6116 §5.2 treats as not yet accepted, so later
    /// rules and ORDERs are still tried.
    /// </summary>
    /// <exception cref="EnumLookupException">DNS failed for <paramref name="domain"/> itself.</exception>
    public async Task<IReadOnlyList<EnumResult>> ResolveAsync(string domain, Func<string, bool> wants, Func<EnumRule, string?>? accept, CancellationToken cancellationToken)
    {
        domain = DomainName.Normalize(domain);
        return await WalkAsync([domain], wants, accept ?? (_ => null), cancellationToken);
    }

    private async Task<IReadOnlyList<EnumResult>> WalkAsync(List<string> chain, Func<string, bool> wants, Func<EnumRule, string?> accept, CancellationToken cancellationToken)
    {
        var domain = chain[^1];
        var ruleSet = await GetRuleSetAsync(domain, cancellationToken);
        if (ruleSet is null)
        {
            return [];
        }

        // RFC 3403 §4.1, RFC 6116 §5.2: walk the ORDER groups from the lowest. Within a group every usable rule
        // counts, in PREFERENCE order. The first group that yields anything ends the walk.
        var results = new List<EnumResult>();
        var rules = ruleSet.Rules;
        for (var start = 0; start < rules.Count && results.Count == 0;)
        {
            var order = rules[start].Order;
            var end = start;
            while (end < rules.Count && rules[end].Order == order)
            {
                end++;
            }

            for (var i = start; i < end; i++)
            {
                var rule = rules[i];
                if (rule.IsTerminal)
                {
                    if (!wants(rule.Enumservice!))
                    {
                        continue;
                    }

                    var rejected = accept(rule);
                    if (rejected is null)
                    {
                        results.Add(new EnumResult(rule, chain.ToList()));
                    }
                    else
                    {
                        Report(new EnumFormatException(domain, rule.Record, $"{rule.Enumservice}: {rejected}").Message);
                    }

                    continue;
                }

                results.AddRange(await FollowAsync(chain, rule, wants, accept, cancellationToken));
            }

            start = end;
        }

        return results;
    }

    // RFC 6116 §5.2.1: follow a non-terminal rule unless it would loop or make the chain too long. A problem in
    // the referenced domain never ends the query: processing goes on with the next rule of the referring RRset.
    private async Task<IReadOnlyList<EnumResult>> FollowAsync(List<string> chain, EnumRule rule, Func<string, bool> wants, Func<EnumRule, string?> accept, CancellationToken cancellationToken)
    {
        var next = rule.NextDomain!;
        var domain = chain[^1];
        if (chain.Contains(next, StringComparer.Ordinal))
        {
            Report(new EnumFormatException(domain, rule.Record, $"RFC 6116 §5.2.1: referential loop {Path(chain, next)}; the non-terminal rule is not followed").Message);
            return [];
        }

        if (chain.Count > _maxChain)
        {
            Report(new EnumFormatException(domain, rule.Record, $"RFC 6116 §5.2.1: chain of more than {_maxChain} non-terminal rules {Path(chain, next)}; treated as a loop and not followed").Message);
            return [];
        }

        try
        {
            return await WalkAsync([.. chain, next], wants, accept, cancellationToken);
        }
        catch (EnumLookupException e)
        {
            Report($"{e.Message} (reached by {Path(chain, next)}; RFC 6116 §5.2.1: skipped, the lookup goes on)");
            return [];
        }
    }

    private async Task<EnumRuleSet?> GetRuleSetAsync(string domain, CancellationToken cancellationToken)
    {
        if (_processed.TryGetValue(domain, out var known))
        {
            return known;
        }

        if (_failed.TryGetValue(domain, out var failure))
        {
            throw failure;
        }

        if (_queries.Count(q => !q.FromCache) >= _maxQueries)
        {
            var exhausted = new EnumLookupException(domain, $"this lookup already made {_maxQueries} queries (limit)");
            _failed[domain] = exhausted;
            throw exhausted;
        }

        NaptrAnswer answer;
        try
        {
            answer = await _source.QueryAsync(domain, cancellationToken);
        }
        catch (EnumLookupException e)
        {
            _queries.Add(new EnumQueryTrace(domain, EnumQueryStatus.Failed, [], e.Reason, fromCache: false));
            _failed[domain] = e;
            throw;
        }

        if (answer.Records.Count == 0)
        {
            _queries.Add(new EnumQueryTrace(domain, EnumQueryStatus.NoRecords, [], answer.NoRecordsReason, answer.FromCache));
            _processed[domain] = null;
            return null;
        }

        _queries.Add(new EnumQueryTrace(domain, EnumQueryStatus.Answered, answer.Records, null, answer.FromCache));
        var ruleSet = NaptrProcessor.Process(_aus, domain, answer.Records, _anyWanted);
        foreach (var problem in ruleSet.Problems)
        {
            Report(problem.Message);
        }

        _processed[domain] = ruleSet;
        return ruleSet;
    }

    private void Report(string problem)
    {
        if (_problemSet.Add(problem))
        {
            _problems.Add(problem);
        }
    }

    private static string Path(List<string> chain, string next) => string.Join(" -> ", chain.Append(next));
}
