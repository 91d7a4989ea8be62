using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir discover`: where a number's CPS and credential directory are, found through ENUM (RFC 6116, enumservices
/// x-stir-cps:https and x-stir-dir:https), and how: the domain queried, the records seen, the chain followed,
/// the URLs and their source. Exit 0 found, 1 nothing found, 2 usage, 3 DNS failure without a fallback.
/// </summary>
internal static class DiscoverCommand
{
    private const int DnsPort = 53;

    public static Command Create()
    {
        var number = new Argument<string>("number") { Description = "The called number, E.164, e.g. \"+1 202 555 0123\"" };
        var servers = new Option<string[]>("--dns-server")
        {
            Description = "A name server to query, IP or IP:port ([IPv6]:port); repeat for more. Default: the system's resolvers",
        };
        var apex = new Option<string>("--enum-apex") { Description = "ENUM apex", DefaultValueFactory = _ => TelephoneNumber.DefaultEnumApex };
        var allowHttp = new Option<bool>("--allow-http") { Description = "Accept http:// URLs to loopback hosts (local development only)" };
        var fallbackCps = new Option<string?>("--fallback-cps") { Description = "CPS base URL to use when DNS gives none or fails" };
        var fallbackDir = new Option<string?>("--fallback-dir") { Description = "Credential directory base URL to use when DNS gives none or fails" };
        var command = new Command("discover", "Find a number's CPS and credential directory through ENUM (DNS NAPTR)")
        {
            number, servers, apex, allowHttp, fallbackCps, fallbackDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            if (!TelephoneNumber.TryParseE164(parse.GetValue(number)!, out var tn, out var numberError))
            {
                return output.Fail(ExitCodes.Usage, numberError.Message, "write the number as +<country code><number>, e.g. +12025550123");
            }

            var options = new EnumResolverOptions
            {
                EnumApex = parse.GetValue(apex)!,
                AllowHttpOnLoopback = parse.GetValue(allowHttp),
            };
            foreach (var server in parse.GetValue(servers) ?? [])
            {
                if (!TryParseServer(server, out var endPoint))
                {
                    return output.Fail(ExitCodes.Usage, $"--dns-server \"{server}\" is not an IP address with an optional port", "e.g. --dns-server 127.0.0.1:5353 or --dns-server [::1]:53");
                }

                options.NameServers.Add(endPoint);
            }

            EnumResolver resolver;
            try
            {
                options.FallbackCps = Url(parse.GetValue(fallbackCps), "--fallback-cps");
                options.FallbackDirectory = Url(parse.GetValue(fallbackDir), "--fallback-dir");
                resolver = new EnumResolver(options);
            }
            catch (ArgumentException e)
            {
                return output.Fail(ExitCodes.Usage, e.Message, "base URLs are absolute https URLs without userinfo, query or fragment");
            }

            EnumDiscoveryResult result;
            try
            {
                result = await resolver.DiscoverAsync(tn, cancellationToken);
            }
            catch (EnumLookupException e)
            {
                return output.Fail(ExitCodes.Failure, e.Message, "check --dns-server, or give --fallback-cps/--fallback-dir to use when DNS fails");
            }

            return output.Result(result.Found ? ExitCodes.Success : ExitCodes.Invalid, ToJson(result), w => WriteText(w, result));
        });
        return command;
    }

    private static Uri? Url(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var url) ? url : throw new ArgumentException($"{option} \"{text}\" is not an absolute URL");
    }

    private static bool TryParseServer(string text, out IPEndPoint endPoint)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            endPoint = new IPEndPoint(address, DnsPort);
            return true;
        }

        if (IPEndPoint.TryParse(text, out var parsed) && parsed.Port != 0)
        {
            endPoint = parsed;
            return true;
        }

        endPoint = null!;
        return false;
    }

    private static JsonObject ToJson(EnumDiscoveryResult result) => new()
    {
        ["number"] = result.Aus,
        ["domain"] = result.QueryDomain,
        ["queries"] = new JsonArray(result.Queries.Select(q => (JsonNode)new JsonObject
        {
            ["domain"] = q.Domain,
            ["status"] = Status(q.Status),
            ["detail"] = q.Detail,
            ["fromCache"] = q.FromCache,
            ["records"] = new JsonArray(q.Records.Select(r => (JsonNode)new JsonObject
            {
                ["order"] = r.Order,
                ["preference"] = r.Preference,
                ["flags"] = r.Flags,
                ["services"] = r.Services,
                ["regexp"] = r.Regexp,
                ["replacement"] = r.Replacement,
            }).ToArray()),
        }).ToArray()),
        ["cps"] = Service(result.CpsSource, result.Cps),
        ["directory"] = Service(result.DirectorySource, result.Directory),
        ["problems"] = new JsonArray(result.Problems.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
        ["dnsError"] = result.DnsError,
    };

    private static JsonObject Service(DiscoverySource source, IReadOnlyList<DiscoveredUrl> urls) => new()
    {
        ["source"] = Source(source),
        ["urls"] = new JsonArray(urls.Select(u => (JsonNode)new JsonObject
        {
            ["url"] = u.Url.AbsoluteUri,
            ["source"] = Source(u.Source),
            ["chain"] = new JsonArray(u.Chain.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
            ["order"] = u.Order,
            ["preference"] = u.Preference,
        }).ToArray()),
    };

    private static void WriteText(TextWriter w, EnumDiscoveryResult result)
    {
        w.WriteLine($"number:    {result.Aus}");
        w.WriteLine($"domain:    {result.QueryDomain}");
        foreach (var q in result.Queries)
        {
            var what = q.Status switch
            {
                EnumQueryStatus.Answered => $"{q.Records.Count} NAPTR record{(q.Records.Count == 1 ? string.Empty : "s")}",
                EnumQueryStatus.NoRecords => $"no records ({q.Detail})",
                _ => $"failed: {q.Detail}",
            };
            w.WriteLine($"query:     {q.Domain} -> {what}{(q.FromCache ? " (cached)" : string.Empty)}");
            foreach (var r in q.Records)
            {
                w.WriteLine($"           {r}");
            }
        }

        WriteService(w, "cps:", result.Cps);
        WriteService(w, "directory:", result.Directory);
        foreach (var p in result.Problems)
        {
            w.WriteLine($"problem:   {p}");
        }

        if (result.DnsError is not null)
        {
            w.WriteLine($"dns error: {result.DnsError}");
        }

        if (!result.Found)
        {
            w.WriteLine("nothing found");
        }
    }

    private static void WriteService(TextWriter w, string label, IReadOnlyList<DiscoveredUrl> urls)
    {
        if (urls.Count == 0)
        {
            w.WriteLine($"{label,-10} none");
            return;
        }

        foreach (var (u, i) in urls.Select((u, i) => (u, i)))
        {
            var how = u.Source == DiscoverySource.Dns
                ? $"dns, order {u.Order} preference {u.Preference}, chain {string.Join(" -> ", u.Chain)}"
                : "fallback";
            w.WriteLine($"{(i == 0 ? label : string.Empty),-10} {u.Url.AbsoluteUri} ({how})");
        }
    }

    private static string Source(DiscoverySource source) => source switch
    {
        DiscoverySource.Dns => "dns",
        DiscoverySource.Fallback => "fallback",
        _ => "none",
    };

    private static string Status(EnumQueryStatus status) => status switch
    {
        EnumQueryStatus.Answered => "answered",
        EnumQueryStatus.NoRecords => "no-records",
        _ => "failed",
    };
}
