using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Discovery;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir doctor`: what usually breaks a deployment, one line each (OK, WARN or FAIL, with a hint): the services'
/// health endpoints, the clock against each service's Date header (a PASSporT's iat and the CPS's epochs depend on
/// it), the CPS's configuration against this client's floors and, with --known-cps, against the one accepted before
/// (spec/protocol.md §7), ENUM discovery of a number, and the trust anchors (they load, and are not expired or about to). Exit 0 when
/// nothing failed (warnings allowed), 1 when a check failed, 2 usage.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var cps = new Option<string?>("--cps") { Description = "CPS base URL to check (health, clock)" };
        var directory = new Option<string?>("--directory") { Description = "Credential directory base URL to check (health, clock)" };
        var number = new Option<string?>("--number") { Description = "A number to discover through ENUM, E.164" };
        var dnsServers = new Option<string[]>("--dns-server") { Description = "A name server for ENUM, IP or IP:port; default: the system's resolvers" };
        var trust = new Option<string?>("--trust") { Description = "PEM file of the STI trust anchors to check" };
        var knownCps = ConfigurationWarning.KnownCpsOption();
        var command = new Command("doctor", "Check clock skew, service health, the CPS configuration, ENUM discovery and trust anchors, one line each") { cps, directory, number, dnsServers, trust, knownCps };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = CommandOutput.For(parse);
            var checks = new List<(string Check, string Status, string Detail, string? Hint)>();
            void Add(string check, string status, string detail, string? hint = null) => checks.Add((check, status, detail, hint));

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var (name, text) in new[] { ("cps", parse.GetValue(cps)), ("directory", parse.GetValue(directory)) })
            {
                if (text is null)
                {
                    continue;
                }

                if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                {
                    return output.Fail(ExitCodes.Usage, $"--{name} \"{text}\" is not an absolute http(s) URL");
                }

                if (await CheckServiceAsync(http, name, url, Add, cancellationToken) && name == "cps")
                {
                    var unusable = await CheckConfigurationAsync(http, url, parse.GetValue(knownCps), Add, cancellationToken);
                    if (unusable is not null)
                    {
                        return output.Fail(ExitCodes.Failure, unusable, "the file is written by `stir call`/`stir verify`/`stir doctor`; move a damaged one aside to start over");
                    }
                }
            }

            if (parse.GetValue(number) is { } numberText)
            {
                if (!TelephoneNumber.TryParseE164(numberText, out var tn, out var error))
                {
                    return output.Fail(ExitCodes.Usage, $"--number: {error.Message}", "write the number as +<country code><number>, e.g. +12025550123");
                }

                var options = new EnumResolverOptions();
                foreach (var server in parse.GetValue(dnsServers) ?? [])
                {
                    if (!IPEndPoint.TryParse(server, out var endPoint))
                    {
                        return output.Fail(ExitCodes.Usage, $"--dns-server \"{server}\" is not an IP address with an optional port");
                    }

                    options.NameServers.Add(endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, 53) : endPoint);
                }

                try
                {
                    var found = await new EnumResolver(options).DiscoverAsync(tn, cancellationToken);
                    if (found.Cps.Count > 0 && found.Directory.Count > 0)
                    {
                        Add("enum", "OK", $"{found.QueryDomain}: CPS {found.Cps[0].Url}, directory {found.Directory[0].Url}");
                    }
                    else
                    {
                        Add("enum", "WARN", $"{found.QueryDomain}: {(found.Cps.Count == 0 ? "no CPS" : "no directory")} record{(found.DnsError is null ? string.Empty : $" ({found.DnsError})")}", "callers will need the URL configured (--cps/--directory); `stir discover` shows every record seen");
                    }
                }
                catch (EnumLookupException e)
                {
                    Add("enum", "FAIL", e.Message, "check the resolvers (--dns-server) and the ENUM zone");
                }
            }

            if (parse.GetValue(trust) is { } trustPath)
            {
                try
                {
                    var now = TimeProvider.System.GetUtcNow();
                    foreach (var anchor in CertificateChain.LoadTrustAnchors(trustPath))
                    {
                        var notAfter = new DateTimeOffset(anchor.NotAfter.ToUniversalTime());
                        var left = notAfter - now;
                        Add(
                            "trust",
                            left <= TimeSpan.Zero || new DateTimeOffset(anchor.NotBefore.ToUniversalTime()) > now ? "FAIL" : left < TimeSpan.FromDays(30) ? "WARN" : "OK",
                            $"{anchor.Subject}: valid until {notAfter:yyyy-MM-dd} ({Math.Floor(left.TotalDays)} days)",
                            left < TimeSpan.FromDays(30) ? "replace the anchor before it expires: every chain to it stops validating" : null);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateFormatException)
                {
                    Add("trust", "FAIL", $"{trustPath}: {e.Message}", "give a PEM file of CA certificates");
                }
            }

            if (checks.Count == 0)
            {
                return output.Fail(ExitCodes.Usage, "nothing to check", "give --cps, --directory, --number or --trust");
            }

            var failed = checks.Any(c => c.Status == "FAIL");
            return output.Result(
                failed ? ExitCodes.Invalid : ExitCodes.Success,
                new JsonObject
                {
                    ["ok"] = !failed,
                    ["checks"] = new JsonArray([.. checks.Select(c => (JsonNode)new JsonObject { ["check"] = c.Check, ["status"] = c.Status, ["detail"] = c.Detail, ["hint"] = c.Hint })]),
                },
                w =>
                {
                    foreach (var (check, status, detail, hint) in checks)
                    {
                        w.WriteLine($"{status,-4} {check,-10} {detail}{(hint is null ? string.Empty : $"  (hint: {hint})")}");
                    }
                });
        });
        return command;
    }

    // spec/protocol.md §7: the configuration is one this client accepts (floors, Argon2id minimums), and, with
    // --known-cps, whether it changed since it was last accepted. Returns an error only for an unusable --known-cps file.
    private static async Task<string?> CheckConfigurationAsync(HttpClient http, Uri url, string? knownCps, Action<string, string, string, string?> add, CancellationToken cancellationToken)
    {
        Cps.CpsClient client;
        try
        {
            client = new Cps.CpsClient(http, url, new Cps.CpsClientOptions { KnownConfigurationsFile = knownCps, Timeout = TimeSpan.FromSeconds(5) });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Cps.KnownCpsConfigurationsFormatException)
        {
            return $"--known-cps: {e.Message}";
        }

        try
        {
            var check = await client.CheckConfigurationAsync(cancellationToken);
            var c = check.Configuration;
            var summary = $"epoch {c.Index.EpochSeconds} s, {c.Index.BucketBits}-bit buckets, Argon2id {c.Index.MemoryKiB} KiB × {c.Index.Iterations}, "
                + $"slots {string.Join("/", c.Classes.Select(k => k.Slots))}, retention {c.Retention.MinSeconds}–{c.Retention.MaxSeconds} s: within this client's floors";
            if (check.Change is { } change)
            {
                add("config", "WARN", $"{url}: {change}", change.SaltChanged
                    ? "the salt changed: earlier buckets are unreachable, and a CPS showing different salts to different clients can tell them apart; ask the operator"
                    : "a privacy parameter changed: check it with the CPS operator");
            }
            else
            {
                add("config", "OK", summary, null);
            }
        }
        catch (Cps.CpsProblemException e)
        {
            add("config", "FAIL", $"{url}: {e.Detail}", "callers refuse to store and callees to retrieve at this CPS until its configuration meets the floors of spec/protocol.md §7");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--known-cps: {e.Message}";
        }

        return null;
    }

    // The health endpoint answers, and the clock agrees with the service's Date header (RFC 9110 §6.6.1) within the
    // CPS's default skew (5 s): the error of one-second Date resolution plus the round trip is allowed for.
    private static async Task<bool> CheckServiceAsync(HttpClient http, string name, Uri url, Action<string, string, string, string?> add, CancellationToken cancellationToken)
    {
        var sent = TimeProvider.System.GetUtcNow();
        var watch = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(new Uri(url, "health/ready"), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            add("health", "FAIL", $"{name} {url}: no answer ({e.Message})", $"is the {name} running? (`stir serve` runs both on loopback)");
            return false;
        }

        using (response)
        {
            var rtt = watch.Elapsed;
            add("health", response.IsSuccessStatusCode ? "OK" : "FAIL", $"{name} {url}: HTTP {(int)response.StatusCode} in {rtt.TotalMilliseconds:F0} ms", response.IsSuccessStatusCode ? null : $"the {name} is up but not ready: see its log");
            if (response.Headers.Date is not { } date)
            {
                add("clock", "WARN", $"{name}: no Date header to compare the clock with", null);
                return response.IsSuccessStatusCode;
            }

            var local = sent + (rtt / 2);
            var skew = (local - date).TotalSeconds;
            var slack = 1 + rtt.TotalSeconds;
            var status = Math.Abs(skew) <= slack + 1 ? "OK" : Math.Abs(skew) <= 5 ? "WARN" : "FAIL";
            add("clock", status, $"{name}: local clock {skew:+0.0;-0.0} s against its Date header", status == "OK" ? null : "synchronise with NTP: PASSporT iat and CPS epochs allow only a few seconds of skew");
            return response.IsSuccessStatusCode;
        }
    }
}
