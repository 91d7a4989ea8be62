using Stir.Encrypted.Discovery;

namespace Stir.Encrypted.Tests.Dns;

/// <summary>An in-memory DNS for resolver tests: domain → records, failure or nothing; counts queries.</summary>
internal sealed class EnumTableSource : INaptrSource
{
    private readonly Dictionary<string, Func<NaptrAnswer>> _answers = new(StringComparer.Ordinal);

    public List<string> Queried { get; } = [];

    public EnumTableSource Records(string domain, TimeSpan ttl, params NaptrRecord[] records)
    {
        _answers[domain] = () => NaptrAnswer.WithRecords(domain, records, ttl);
        return this;
    }

    public EnumTableSource Records(string domain, params NaptrRecord[] records) => Records(domain, TimeSpan.FromMinutes(5), records);

    public EnumTableSource Fails(string domain, string reason)
    {
        _answers[domain] = () => throw new EnumLookupException(domain, reason);
        return this;
    }

    public Task<NaptrAnswer> QueryAsync(string domain, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Queried.Add(domain);
        return Task.FromResult(_answers.TryGetValue(domain, out var answer) ? answer() : NaptrAnswer.NoRecords(domain, "NXDOMAIN", TimeSpan.FromMinutes(1)));
    }

    public static NaptrRecord Cps(string url, ushort order = 100, ushort preference = 10) =>
        new(order, preference, "u", "E2U+x-stir-cps:https", $"!^.*$!{url}!", ".");

    public static NaptrRecord Dir(string url, ushort order = 100, ushort preference = 20) =>
        new(order, preference, "u", "E2U+x-stir-dir:https", $"!^.*$!{url}!", ".");

    public static NaptrRecord Next(string domain, ushort order = 100, ushort preference = 10) =>
        new(order, preference, "", "", "", domain);
}
