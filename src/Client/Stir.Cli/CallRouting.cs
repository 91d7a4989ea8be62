using System.CommandLine;
using System.Net;
using Stir.Encrypted.Calls;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// Where `stir call` and `stir verify` find the called number's CPS and directory: the given URLs, or ENUM
/// discovery (RFC 6116, spec/enumservices.md) with the given URLs as the fallback when DNS has nothing.
/// </summary>
internal sealed class CallRouting
{
    private CallRouting(Option<string?> cps, Option<string?> directory, Option<string[]> dnsServers, Option<bool> enumDiscovery, Option<bool> allowHttp)
    {
        Cps = cps;
        Directory = directory;
        DnsServers = dnsServers;
        EnumDiscovery = enumDiscovery;
        AllowHttp = allowHttp;
    }

    public Option<string?> Cps { get; }

    public Option<string?> Directory { get; }

    public Option<string[]> DnsServers { get; }

    public Option<bool> EnumDiscovery { get; }

    public Option<bool> AllowHttp { get; }

    public static CallRouting Add(Command command, bool withDirectory)
    {
        var routing = new CallRouting(
            new Option<string?>("--cps") { Description = "CPS base URL (with --enum: the fallback when DNS has none)" },
            new Option<string?>("--directory") { Description = "Credential directory base URL (with --enum: the fallback when DNS has none)" },
            new Option<string[]>("--dns-server") { Description = "A name server for ENUM, IP or IP:port; default: the system's resolvers" },
            new Option<bool>("--enum") { Description = "Discover the CPS (and directory) through ENUM even when URLs are given (they become the fallback)" },
            new Option<bool>("--allow-http") { Description = "Accept http:// service and x5u URLs (loopback development only: `stir serve`)" });
        command.Options.Add(routing.Cps);
        if (withDirectory)
        {
            command.Options.Add(routing.Directory);
        }

        command.Options.Add(routing.DnsServers);
        command.Options.Add(routing.EnumDiscovery);
        command.Options.Add(routing.AllowHttp);
        return routing;
    }

    /// <summary>The CPS router and the directory URL for <paramref name="called"/>; a usage or DNS problem is a one-line error.</summary>
    public async Task<(ICallRouter? Router, Uri? Directory, string Source, string? Error)> ResolveAsync(ParseResult parse, TelephoneNumber called, bool needDirectory, CancellationToken cancellationToken)
    {
        Uri? cps, directory;
        try
        {
            cps = Url(parse.GetValue(Cps), "--cps");
            directory = needDirectory ? Url(parse.GetValue(Directory), "--directory") : null;
        }
        catch (ArgumentException e)
        {
            return (null, null, string.Empty, e.Message);
        }

        if (cps is not null && (directory is not null || !needDirectory) && !parse.GetValue(EnumDiscovery))
        {
            return (new StaticCallRouter(cps), directory, "given", null);
        }

        var options = new EnumResolverOptions { AllowHttpOnLoopback = parse.GetValue(AllowHttp), FallbackCps = cps, FallbackDirectory = directory };
        foreach (var server in parse.GetValue(DnsServers) ?? [])
        {
            if (!IPEndPoint.TryParse(server, out var endPoint))
            {
                return (null, null, string.Empty, $"--dns-server \"{server}\" is not an IP address with an optional port");
            }

            options.NameServers.Add(endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, 53) : endPoint);
        }

        EnumDiscoveryResult found;
        try
        {
            found = await new EnumResolver(options).DiscoverAsync(called, cancellationToken);
        }
        catch (Exception e) when (e is EnumLookupException or ArgumentException)
        {
            return (null, null, string.Empty, $"ENUM discovery failed and no fallback is given: {e.Message}");
        }

        if (found.Cps.Count == 0 || (needDirectory && found.Directory.Count == 0))
        {
            return (null, null, string.Empty, $"ENUM has no {(found.Cps.Count == 0 ? "CPS" : "directory")} for the called number and no fallback is given (--cps, --directory)");
        }

        var source = $"ENUM ({found.CpsSource})";
        return (new StaticCallRouter(found.Cps[0].Url), needDirectory ? found.Directory[0].Url : null, source, null);
    }

    private static Uri? Url(string? text, string option) =>
        text is null ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
        : throw new ArgumentException($"{option} \"{text}\" is not an absolute http(s) URL");
}
