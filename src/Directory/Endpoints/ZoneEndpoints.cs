using Microsoft.Extensions.Options;
using Stir.Encrypted.DirectoryService.Configuration;
using Stir.Encrypted.DirectoryService.Problems;
using Stir.Encrypted.DirectoryService.Storage;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.KeyRecords;

namespace Stir.Encrypted.DirectoryService.Endpoints;

/// <summary>
/// <c>GET /v1/enum/zone?apex=..</c>: a DNS zone (master-file text, <c>text/dns</c>, RFC 4027) with the ENUM NAPTR
/// records (spec/enumservices.md) that point every E.164 number and range of the current unexpired records at the
/// configured CPS and at this directory, written by <see cref="EnumZoneBuilder"/>. Operators load it into their
/// DNS server; nothing in it is secret (the numbers are the ones the directory serves).
/// </summary>
internal static class ZoneEndpoints
{
    public const string OperationId = "exportEnumZone";
    public const string MediaType = "text/dns";

    public static IEndpointRouteBuilder MapZoneEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/v1/enum/zone", ExportAsync)
            .WithName(OperationId)
            .WithTags("Discovery")
            .WithSummary("The ENUM zone for the numbers served (NAPTR E2U+x-stir-cps:https and E2U+x-stir-dir:https)")
            .Produces(StatusCodes.Status200OK, contentType: MediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<IResult> ExportAsync(HttpContext context, IKeyRecordStore store, IOptions<DirectoryOptions> options, TimeProvider time)
    {
        var settings = options.Value.Enum;
        if (settings.CpsUrl is null && settings.DirectoryUrl is null)
        {
            return new ProblemResult(new Problem(ProblemType.NotFound, "zone export is not configured: set Directory:Enum:CpsUrl and/or Directory:Enum:DirectoryUrl"));
        }

        var apex = context.Request.Query["apex"];
        if (apex.Count != 1)
        {
            return new ProblemResult(new Problem(ProblemType.BadApex, "the query must have exactly one apex=<domain>, e.g. apex=e164.arpa"));
        }

        if (!DomainName.TryNormalize(apex[0]!, out var normalized, out var error))
        {
            return new ProblemResult(new Problem(ProblemType.BadApex, $"apex: {error}"));
        }

        var cps = settings.CpsUrl is null ? null : new Uri(settings.CpsUrl);
        var directory = settings.DirectoryUrl is null ? null : new Uri(settings.DirectoryUrl);
        var builder = new EnumZoneBuilder(normalized) { Ttl = TimeSpan.FromSeconds(settings.TtlSeconds) };
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var snapshot = await store.SnapshotAsync(context.RequestAborted);
        foreach (var entry in snapshot.Entries.Where(e => e.IsServedAt(now)))
        {
            var record = KeyRecord.Parse(entry.Token);
            foreach (var number in record.Numbers.Where(n => n.IsE164))
            {
                builder.Add(number, cps, directory);
            }

            foreach (var range in record.Ranges.Where(r => r.Start.IsE164))
            {
                builder.Add(range, cps, directory);
            }
        }

        // The SOA serial follows the directory version, so a secondary sees each change (RFC 1982 arithmetic wraps it).
        var zone = builder.BuildZone(settings.NameServer, settings.Hostmaster, unchecked((uint)snapshot.Version));
        return new BytesResult(StatusCodes.Status200OK, System.Text.Encoding.ASCII.GetBytes(zone), MediaType) { CacheControl = "no-cache" };
    }
}
